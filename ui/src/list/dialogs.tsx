// The workflow list's dialogs: a new workflow (blank, from a template, from an import) and a duplicate.
import { useEffect, useState } from "react";
import { Api } from "../api/client";
import { ChainsApi } from "../chains/api";
import { SchemaForm } from "../forms/SchemaForm";
import { fieldsFromSchema } from "../forms/schema";
import { emptyWorkflow, type JsonSchema, type Workflow } from "../spec/types";
import { slugify } from "../state/ops";
import { Modal } from "../ui/Modal";

export function NewWorkflowDialog({
  onClose,
  onCreated,
}: {
  onClose: () => void;
  onCreated: (id: string) => void;
}) {
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
    // Built-in templates first, then the ones users saved ("user:<name>"; a caller who may not read
    // the library just does not see them).
    void Promise.all([Api.templates().catch(() => []), ChainsApi.userTemplates().catch(() => [])]).then(
      ([builtIn, mine]) => {
        const all: Record<string, unknown>[] = [
          ...builtIn,
          ...mine.map((t) => ({
            ...t,
            name: `user:${t.name}`,
            title: `${t.title} (saved by ${t.created_by})`,
          })),
        ];
        setTemplates(all);
        setTemplate(String(all[0]?.name ?? ""));
      },
    );
  }, []);
  const create = async () => {
    setBusy(true);
    setError(null);
    try {
      if (mode === "blank") {
        const rec = await Api.createWorkflow(emptyWorkflow(wfId, name), "Created on the canvas");
        onCreated(rec.id);
      } else if (mode === "template") {
        const { spec } = template.startsWith("user:")
          ? await ChainsApi.instantiateTemplate(template.slice(5), wfId, name, templateParams)
          : await Api.instantiate(template, wfId, name, templateParams);
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

export function DuplicateDialog({
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
