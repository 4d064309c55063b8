// The "Co-pilot" page in Airflow's nav: pick a workflow, then chat with the co-pilot about it.
// Applying a proposal here changes a draft, shown as a diff against the saved version with Save
// and Discard (there is no canvas to undo on); nothing is saved until Save is pressed.
import { useEffect, useState } from "react";
import { Api, versionOf, type WorkflowRecord, type WorkflowSummary } from "../api/client";
import { placeNewNodes } from "../canvas/placement";
import type { Problem, Workflow } from "../spec/types";
import { CopilotPanel } from "./CopilotPanel";
import { PendingChanges } from "./PendingChanges";
import { ensureCopilotStyles } from "./styles";

const EMPTY_SELECTION = { nodes: [], edges: [], groups: [] };

export default function CopilotPage() {
  ensureCopilotStyles();
  const [items, setItems] = useState<WorkflowSummary[]>([]);
  const [search, setSearch] = useState("");
  const [record, setRecord] = useState<WorkflowRecord | null>(null);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [note, setNote] = useState<string | null>(null);
  // Applied but not saved: the spec the chat now works on, and what each apply said.
  const [draft, setDraft] = useState<Workflow | null>(null);
  const [applied, setApplied] = useState<string[]>([]);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    Api.listWorkflows(search)
      .then((r) => setItems(r.items))
      .catch((e) => setError((e as Error).message));
  }, [search]);

  const open = async (id: string) => {
    if (draft && !window.confirm("Discard the unsaved co-pilot changes?")) return;
    try {
      const rec = await Api.getWorkflow(id);
      setRecord(rec);
      setNote(null);
      setDraft(null);
      setApplied([]);
      const v = await Api.validate(rec.spec).catch(() => null);
      setProblems(((v as { problems?: Problem[] } | null)?.problems ?? []) as Problem[]);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const revalidate = async (spec: Workflow) => {
    const v = await Api.validate(spec).catch(() => null);
    setProblems(((v as { problems?: Problem[] } | null)?.problems ?? []) as Problem[]);
  };

  // An applied proposal goes into the draft (new nodes placed free of overlap); Save keeps it.
  const apply = (next: Workflow, description: string) => {
    const base = draft ?? record?.spec;
    if (!base) return;
    const had = new Set(base.nodes.map((n) => n.id));
    const added = (next.nodes ?? []).filter((n) => !had.has(n.id)).map((n) => n.id);
    const placed = placeNewNodes(next, added);
    setDraft(placed);
    setApplied((a) => [...a, description]);
    setNote(null);
    void revalidate(placed);
  };

  const save = async (message: string) => {
    if (!record || !draft) return;
    setSaving(true);
    try {
      const description = message || applied.join("; ") || "Co-pilot changes";
      const saved = await Api.saveWorkflow(record.id, draft, versionOf(record), description);
      const spec = draft; // a save answers with the version's metadata, not the spec
      setRecord({ ...record, spec, version: saved.version, head_version: saved.version });
      setDraft(null);
      setApplied([]);
      setNote(`Saved as version ${saved.version}.`);
      void revalidate(spec);
    } catch (e) {
      setNote(`Could not save: ${(e as Error).message}`);
    } finally {
      setSaving(false);
    }
  };

  const discard = () => {
    setDraft(null);
    setApplied([]);
    setNote("Discarded the unsaved changes.");
    if (record) void revalidate(record.spec);
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
              {draft && (
                <PendingChanges
                  saved={record.spec}
                  draft={draft}
                  busy={saving}
                  onSave={(m) => void save(m)}
                  onDiscard={discard}
                />
              )}
              <CopilotPanel
                key={record.id}
                workflow={draft ?? record.spec}
                selection={EMPTY_SELECTION}
                problems={problems}
                runErrors={[]}
                readOnly={false}
                prompt={null}
                applySpec={apply}
                appliedNote="Not saved yet: review the unsaved changes above, then Save version or Discard."
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
