// The "Co-pilot" page in Airflow's nav: pick a workflow, then chat with the co-pilot about it.
// Applying a proposal here saves a new version straight away (there is no canvas to undo on).
import { useEffect, useState } from "react";
import { Api, versionOf, type WorkflowRecord, type WorkflowSummary } from "../api/client";
import type { Problem, Workflow } from "../spec/types";
import { CopilotPanel } from "./CopilotPanel";
import { ensureCopilotStyles } from "./styles";

const EMPTY_SELECTION = { nodes: [], edges: [], groups: [] };

export default function CopilotPage() {
  ensureCopilotStyles();
  const [items, setItems] = useState<WorkflowSummary[]>([]);
  const [search, setSearch] = useState("");
  const [record, setRecord] = useState<WorkflowRecord | null>(null);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    Api.listWorkflows(search)
      .then((r) => setItems(r.items))
      .catch((e) => setError((e as Error).message));
  }, [search]);

  const open = async (id: string) => {
    try {
      const rec = await Api.getWorkflow(id);
      setRecord(rec);
      setNote(null);
      const v = await Api.validate(rec.spec).catch(() => null);
      setProblems(((v as { problems?: Problem[] } | null)?.problems ?? []) as Problem[]);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const save = async (next: Workflow, description: string) => {
    if (!record) return;
    try {
      const saved = await Api.saveWorkflow(record.id, next, versionOf(record), description);
      const spec = saved.spec ?? next;
      setRecord({ ...record, spec, version: saved.version, head_version: saved.version });
      setNote(`Saved as version ${saved.version}.`);
      const v = await Api.validate(spec).catch(() => null);
      setProblems(((v as { problems?: Problem[] } | null)?.problems ?? []) as Problem[]);
    } catch (e) {
      setNote(`Could not save: ${(e as Error).message}`);
    }
  };

  return (
    <div className="cv-root" data-testid="copilot-page">
      <div className="cv-cp-page">
        <div className="cv-cp-page-side">
          <h2 style={{ fontSize: 16, margin: "0 0 8px" }}>Co-pilot</h2>
          <input
            className="cv-input"
            placeholder="Search workflows"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
          {error && <div className="cv-error">{error}</div>}
          <ul style={{ padding: 0 }}>
            {items.map((w) => (
              <li
                key={w.id}
                className={record?.id === w.id ? "active" : ""}
                data-testid={`copilot-pick-${w.id}`}
                onClick={() => void open(w.id)}
              >
                {w.name || w.id}
              </li>
            ))}
          </ul>
        </div>
        <div className="cv-cp-page-main">
          {record ? (
            <>
              <div className="cv-toolbar" style={{ padding: "0 0 6px" }}>
                <span className="cv-title">{record.spec.name || record.id}</span>
                <span className="cv-help">version {versionOf(record) ?? "?"}</span>
                {note && (
                  <span className="cv-help" data-testid="copilot-page-note">
                    {note}
                  </span>
                )}
                <span className="cv-spacer" />
                <a className="cv-btn small" href={`../canvas?workflow=${encodeURIComponent(record.id)}`}>
                  Open in Canvas
                </a>
              </div>
              <CopilotPanel
                key={record.id}
                workflow={record.spec}
                selection={EMPTY_SELECTION}
                problems={problems}
                runErrors={[]}
                readOnly={false}
                prompt={null}
                applySpec={(next, description) => void save(next, description)}
              />
            </>
          ) : (
            <p className="cv-help">
              Pick a workflow to talk about. The co-pilot can explain it, fix its errors, debug its last run
              and propose changes.
            </p>
          )}
        </div>
      </div>
    </div>
  );
}
