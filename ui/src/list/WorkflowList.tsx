// All workflows: search, create (blank, from a template, from an import), duplicate, delete,
// deploy status per environment and the last run's state.
import { useCallback, useEffect, useState } from "react";
import { Api, type Me, type WorkflowSummary } from "../api/client";
import { SchemaForm } from "../forms/SchemaForm";
import { fieldsFromSchema } from "../forms/schema";
import { emptyWorkflow, type JsonSchema, type Workflow } from "../spec/types";
import { slugify } from "../state/ops";
import { stateClass } from "../state/status";
import { Modal } from "../ui/Modal";

interface RowStatus {
  deployments: { environment: string; version?: unknown }[];
  lastRun: { state: string; run_id: string } | null;
}

/** Deploy status and last run of one row (the list endpoint carries neither). */
function useRowStatus(id: string): RowStatus | null {
  const [status, setStatus] = useState<RowStatus | null>(null);
  useEffect(() => {
    let live = true;
    Promise.all([Api.deploymentsCurrent(id).catch(() => ({})), Api.runs(id).catch(() => [])]).then(
      ([current, runs]) => {
        if (!live) return;
        setStatus({
          deployments: Object.entries(current).map(([environment, d]) => ({
            environment,
            version: d.version,
          })),
          lastRun: runs[0] ? { state: runs[0].state, run_id: runs[0].run_id } : null,
        });
      },
    );
    return () => {
      live = false;
    };
  }, [id]);
  return status;
}

function WorkflowRow({
  w,
  perms,
  onOpen,
  onDuplicate,
  onDelete,
}: {
  w: WorkflowSummary;
  perms: string[];
  onOpen: () => void;
  onDuplicate: () => void;
  onDelete: () => void;
}) {
  const status = useRowStatus(w.id);
  return (
    <tr data-testid={`workflow-row-${w.id}`}>
      <td>
        <button className="cv-link" data-testid={`open-${w.id}`} onClick={onOpen}>
          <b>{w.name || w.id}</b>
        </button>
        <div className="cv-help">{w.id}</div>
      </td>
      <td>v{String(w.head_version ?? w.version ?? "?")}</td>
      <td data-testid={`deployed-${w.id}`}>
        {status?.deployments.map((d) => (
          <span key={d.environment} className="cv-badge" style={{ marginRight: 4 }}>
            {d.environment}
            {d.version !== undefined ? ` v${String(d.version)}` : ""}
          </span>
        ))}
        {status && status.deployments.length === 0 && <span className="cv-help">not deployed</span>}
      </td>
      <td data-testid={`last-run-${w.id}`}>
        {status?.lastRun ? (
          <span className={`cv-badge state-${stateClass(status.lastRun.state)}`}>{status.lastRun.state}</span>
        ) : (
          <span className="cv-help">{status ? "never" : ""}</span>
        )}
      </td>
      <td className="cv-help">{w.updated_at ? new Date(w.updated_at).toLocaleString() : ""}</td>
      <td style={{ whiteSpace: "nowrap" }}>
        {perms.includes("create") && (
          <button className="cv-btn small" data-testid={`duplicate-${w.id}`} onClick={onDuplicate}>
            Duplicate
          </button>
        )}{" "}
        {perms.includes("delete") && (
          <button className="cv-btn small danger" data-testid={`delete-${w.id}`} onClick={onDelete}>
            Delete
          </button>
        )}
      </td>
    </tr>
  );
}

export function WorkflowList({ me, onOpen }: { me: Me | null | undefined; onOpen: (id: string) => void }) {
  const [search, setSearch] = useState("");
  const [items, setItems] = useState<WorkflowSummary[]>([]);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [dialog, setDialog] = useState<"new" | { duplicate: string } | { remove: string } | null>(null);
  // Until /me answers nothing editable shows; without /me the server still enforces every action.
  const perms = me === undefined ? [] : (me?.permissions?.workflows ?? ["read", "create", "edit", "delete"]);

  const load = useCallback(async () => {
    try {
      const r = await Api.listWorkflows(search);
      setItems(r.items);
      setTotal(r.total);
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  }, [search]);

  useEffect(() => {
    const t = setTimeout(() => void load(), 250);
    return () => clearTimeout(t);
  }, [load]);

  return (
    <div className="cv-list" data-testid="workflow-list">
      <div className="cv-row" style={{ marginBottom: 12 }}>
        <h2 style={{ margin: 0, fontSize: 18 }}>Canvas workflows</h2>
        <span className="cv-badge">{total}</span>
        <span style={{ flex: 1 }} />
        <input
          className="cv-input"
          style={{ width: 260 }}
          placeholder="Search workflows"
          data-testid="workflow-search"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        {perms.includes("create") && (
          <button className="cv-btn primary" data-testid="new-workflow" onClick={() => setDialog("new")}>
            New workflow
          </button>
        )}
      </div>
      {error && (
        <div className="cv-alert" data-testid="list-error">
          {error}
        </div>
      )}
      <table className="cv-table">
        <thead>
          <tr>
            <th>Workflow</th>
            <th>Version</th>
            <th>Deployed</th>
            <th>Last run</th>
            <th>Updated</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {items.map((w) => (
            <WorkflowRow
              key={w.id}
              w={w}
              perms={perms}
              onOpen={() => onOpen(w.id)}
              onDuplicate={() => setDialog({ duplicate: w.id })}
              onDelete={() => setDialog({ remove: w.id })}
            />
          ))}
          {items.length === 0 && !error && (
            <tr>
              <td colSpan={6} className="cv-help">
                No workflows{search ? ` match "${search}"` : " yet"}.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {dialog === "new" && (
        <NewWorkflowDialog
          onClose={() => setDialog(null)}
          onCreated={(id) => {
            setDialog(null);
            onOpen(id);
          }}
        />
      )}
      {dialog && typeof dialog === "object" && "duplicate" in dialog && (
        <DuplicateDialog
          source={dialog.duplicate}
          onClose={() => setDialog(null)}
          onDone={(id) => {
            setDialog(null);
            onOpen(id);
          }}
        />
      )}
      {dialog && typeof dialog === "object" && "remove" in dialog && (
        <Modal title={`Delete ${dialog.remove}?`} onClose={() => setDialog(null)} testId="delete-dialog">
          <p>
            This deletes the workflow and its history. A deployed DAG file is removed from its environments by
            the server.
          </p>
          <div className="cv-actions">
            <button className="cv-btn" onClick={() => setDialog(null)}>
              Cancel
            </button>
            <button
              className="cv-btn primary"
              data-testid="delete-confirm"
              onClick={async () => {
                try {
                  await Api.deleteWorkflow(dialog.remove);
                } catch (e) {
                  setError((e as Error).message);
                }
                setDialog(null);
                void load();
              }}
            >
              Delete
            </button>
          </div>
        </Modal>
      )}
    </div>
  );
}

function NewWorkflowDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (id: string) => void }) {
  const [mode, setMode] = useState<"blank" | "template" | "import">("blank");
  const [name, setName] = useState("");
  const [id, setId] = useState("");
  const [templates, setTemplates] = useState<Record<string, unknown>[]>([]);
  const [template, setTemplate] = useState("");
  const [templateParams, setTemplateParams] = useState<Record<string, unknown>>({});
  const [content, setContent] = useState("");
  const [format, setFormat] = useState("json");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const wfId = id || slugify(name);
  // dag-factory YAML and Elyra pipelines carry their own ids (one workflow per DAG in the file).
  const ownIds = mode === "import" && format !== "json";
  const paramSchema = (templates.find((t) => t.name === template)?.parameters ?? null) as JsonSchema | null;
  const readFile = async (file: File | undefined) => {
    if (!file) return;
    setContent(await file.text());
    const lower = file.name.toLowerCase();
    setFormat(
      lower.endsWith(".pipeline")
        ? "elyra"
        : lower.endsWith(".yml") || lower.endsWith(".yaml")
          ? "dag-factory"
          : "json",
    );
  };
  useEffect(() => {
    Api.templates()
      .then((t) => {
        setTemplates(t);
        setTemplate(String(t[0]?.name ?? ""));
      })
      .catch(() => undefined);
  }, []);
  const create = async () => {
    setBusy(true);
    setError(null);
    try {
      if (mode === "blank") {
        const rec = await Api.createWorkflow(emptyWorkflow(wfId, name), "Created on the canvas");
        onCreated(rec.id);
      } else if (mode === "template") {
        const { spec } = await Api.instantiate(template, wfId, name, templateParams);
        const rec = await Api.createWorkflow(
          { ...spec, id: wfId || spec.id, name: name || spec.name },
          `From template ${template}`,
        );
        onCreated(rec.id);
      } else if (format === "json") {
        // A Canvas JSON spec (e.g. exported from another Airflow) is created as it is.
        const spec = JSON.parse(content) as Workflow;
        const rec = await Api.createWorkflow(
          { ...spec, id: id || spec.id, name: name || spec.name, version: null },
          "Imported (Canvas JSON)",
        );
        onCreated(rec.id);
      } else {
        const { results } = await Api.importWorkflow(
          content,
          format === "elyra" ? "import.pipeline" : "import.yaml",
        );
        const saved = results.find((r) => r.saved_version !== null);
        if (saved) onCreated(saved.workflow.id);
        else {
          const problems = results.flatMap((r) => r.problems.filter((p) => p.severity === "error"));
          throw new Error(
            `Nothing imported: ${problems.map((p) => `${p.code}: ${p.message}`).join("; ") || "no workflow found"}`,
          );
        }
      }
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };
  return (
    <Modal title="New workflow" onClose={onClose} testId="new-workflow-dialog">
      <div className="cv-row" style={{ marginBottom: 10 }}>
        {(["blank", "template", "import"] as const).map((m) => (
          <button
            key={m}
            className={`cv-btn ${mode === m ? "primary" : ""}`}
            data-testid={`new-mode-${m}`}
            onClick={() => setMode(m)}
          >
            {m === "blank" ? "Blank" : m === "template" ? "From template" : "Import"}
          </button>
        ))}
      </div>
      {!ownIds && (
        <>
          <div className="cv-field">
            <label>Name</label>
            <input
              className="cv-input"
              data-testid="new-name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              autoFocus
            />
          </div>
          <div className="cv-field">
            <label>Id (becomes the dag_id)</label>
            <input
              className="cv-input"
              data-testid="new-id"
              value={wfId}
              onChange={(e) => setId(e.target.value)}
            />
          </div>
        </>
      )}
      {ownIds && (
        <p className="cv-help" data-testid="new-import-ids">
          Each DAG in the file becomes a workflow with the DAG&apos;s id and name.
        </p>
      )}
      {mode === "template" && (
        <div className="cv-field">
          <label>Template</label>
          <select
            className="cv-select"
            data-testid="new-template"
            value={template}
            onChange={(e) => {
              setTemplate(e.target.value);
              setTemplateParams({});
            }}
          >
            {templates.map((t) => (
              <option key={String(t.name)} value={String(t.name)}>
                {String(t.title ?? t.name)}
                {t.description ? ` — ${String(t.description)}` : ""}
              </option>
            ))}
          </select>
          {templates.length === 0 && <span className="cv-help">No templates available.</span>}
        </div>
      )}
      {mode === "template" && paramSchema && fieldsFromSchema(paramSchema).length > 0 && (
        <div className="cv-section">
          <h3>Template parameters</h3>
          <SchemaForm
            schema={paramSchema}
            value={templateParams}
            onChange={(v) => setTemplateParams(v)}
            testId="new-template-params"
          />
        </div>
      )}
      {mode === "import" && (
        <>
          <div className="cv-field">
            <label>Format</label>
            <select
              className="cv-select"
              data-testid="new-import-format"
              value={format}
              onChange={(e) => setFormat(e.target.value)}
            >
              <option value="json">Canvas JSON</option>
              <option value="dag-factory">dag-factory YAML</option>
              <option value="elyra">Elyra pipeline</option>
            </select>
          </div>
          <div className="cv-field">
            <label>File</label>
            <input
              type="file"
              accept=".json,.yml,.yaml,.pipeline"
              data-testid="new-import-file"
              onChange={(e) => void readFile(e.target.files?.[0])}
            />
          </div>
          <div className="cv-field">
            <label>Content</label>
            <textarea
              className="cv-textarea"
              rows={8}
              data-testid="new-import-content"
              value={content}
              onChange={(e) => setContent(e.target.value)}
            />
          </div>
        </>
      )}
      {error && (
        <div className="cv-alert" data-testid="new-error">
          {error}
        </div>
      )}
      <div className="cv-actions">
        <button className="cv-btn" onClick={onClose}>
          Cancel
        </button>
        <button
          className="cv-btn primary"
          data-testid="new-create"
          disabled={busy || (mode !== "import" && !wfId)}
          onClick={create}
        >
          Create
        </button>
      </div>
    </Modal>
  );
}

function DuplicateDialog({
  source,
  onClose,
  onDone,
}: {
  source: string;
  onClose: () => void;
  onDone: (id: string) => void;
}) {
  const [id, setId] = useState(`${source}_copy`);
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  return (
    <Modal title={`Duplicate ${source}`} onClose={onClose} testId="duplicate-dialog">
      <div className="cv-field">
        <label>New id</label>
        <input
          className="cv-input"
          data-testid="duplicate-id"
          value={id}
          onChange={(e) => setId(e.target.value)}
        />
      </div>
      <div className="cv-field">
        <label>Name</label>
        <input className="cv-input" value={name} onChange={(e) => setName(e.target.value)} />
      </div>
      {error && <div className="cv-alert">{error}</div>}
      <div className="cv-actions">
        <button className="cv-btn" onClick={onClose}>
          Cancel
        </button>
        <button
          className="cv-btn primary"
          data-testid="duplicate-confirm"
          onClick={async () => {
            try {
              const r = await Api.duplicate(source, id, name);
              onDone(r.id || id);
            } catch (e) {
              setError((e as Error).message);
            }
          }}
        >
          Duplicate
        </button>
      </div>
    </Modal>
  );
}
