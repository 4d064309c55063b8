// The panel of an operator-backed tool node: which operator (searchable, the palette's search),
// its provider and docs, and a form generated from its parameters schema (types, defaults,
// required, descriptions; templated fields marked as taking Jinja). The values go into
// node.parameters: the compiler passes them to the class as literal keyword arguments, and Airflow
// renders the class's own template_fields, so Jinja belongs in those fields as plain text.
import { useEffect, useState } from "react";
import {
  operatorEntry,
  operatorFormSchema,
  providerLabel,
  searchOperators,
  type OperatorEntry,
} from "../editor/catalogue";
import { JsonEditor } from "../forms/SchemaForm";
import type { Problem, SpecNode } from "../spec/types";
import { errorsUnder } from "../state/problems";
import { ParamsEditor } from "./ParamsEditor";

export function OperatorSection({
  node,
  fields,
  readOnly,
  set,
}: {
  node: SpecNode;
  fields: Record<string, Problem>;
  readOnly: boolean;
  set: (patch: Partial<SpecNode>, key: string) => void;
}) {
  const path = node.operator ?? "";
  const [entry, setEntry] = useState<{ path: string; entry: OperatorEntry | null } | null>(null);
  const [text, setText] = useState(path);
  const [choices, setChoices] = useState<OperatorEntry[]>([]);
  useEffect(() => {
    let live = true;
    if (path) void operatorEntry(path).then((e) => live && setEntry({ path, entry: e }));
    return () => {
      live = false;
    };
  }, [path]);
  useEffect(() => {
    // The operator field searches as the palette does (class name, provider, description).
    const word = text.split(".").pop() ?? "";
    if (!word || text === path) return;
    const ctrl = new AbortController();
    const t = window.setTimeout(
      () =>
        void searchOperators(word, 20, ctrl.signal)
          .then((p) => setChoices(p.items))
          .catch(() => undefined),
      200,
    );
    return () => {
      window.clearTimeout(t);
      ctrl.abort();
    };
  }, [text, path]);

  const known = entry && entry.path === path ? entry.entry : undefined; // undefined = loading
  const params = errorsUnder(fields, "parameters");
  const templates = node.templates ?? {};
  return (
    <div className="cv-section" data-testid="operator-section">
      <h3>Airflow operator</h3>
      <div className="cv-field">
        <label>Operator (import path)</label>
        <input
          className={`cv-input ${fields.operator ? "invalid" : ""}`}
          data-testid="prop-operator"
          list="cv-operator-paths"
          value={text}
          readOnly={readOnly}
          spellCheck={false}
          onChange={(e) => setText(e.target.value)}
          onBlur={() => text.trim() !== path && set({ operator: text.trim() || null }, "operator")}
          onKeyDown={(e) => e.key === "Enter" && (e.target as HTMLInputElement).blur()}
        />
        <datalist id="cv-operator-paths">
          {choices.map((c) => (
            <option key={c.operator} value={c.operator}>
              {c.name} ({providerLabel(c.provider)})
            </option>
          ))}
        </datalist>
        {fields.operator && (
          <span className="cv-error" data-testid="prop-operator-error">
            {fields.operator.message}
          </span>
        )}
        {fields.operator?.hint && <span className="cv-hint">{fields.operator.hint}</span>}
      </div>
      {known && (
        <div className="cv-field" data-testid="operator-info">
          <div>
            <strong data-testid="operator-name">{known.name}</strong>{" "}
            <span className="cv-help" data-testid="operator-provider">
              {known.kind} · {known.provider} {known.provider_version}
            </span>
          </div>
          {known.summary && (
            <p className="cv-help" data-testid="operator-docs" style={{ whiteSpace: "pre-wrap" }}>
              {known.summary}
            </p>
          )}
          {known.template_fields.length > 0 && (
            <span className="cv-help" data-testid="operator-templated">
              Templated (Jinja): {known.template_fields.join(", ")}
            </span>
          )}
        </div>
      )}
      {known === null && path && (
        <p className="cv-help" data-testid="operator-not-installed">
          This operator is not in the installed providers' catalogue: its arguments are edited as JSON.
        </p>
      )}
      <h3 style={{ marginTop: 10 }}>Arguments</h3>
      <ParamsEditor
        schema={known ? operatorFormSchema(known.parameters_schema as Record<string, unknown>) : null}
        value={node.parameters ?? {}}
        readOnly={readOnly}
        testId="prop-op-params"
        {...params}
        error={fields.parameters?.message}
        onChange={(v, k) => set({ parameters: v }, `parameters.${k}`)}
      />
      {Object.keys(templates).length > 0 && (
        <>
          <h3 style={{ marginTop: 10 }}>Templates</h3>
          <p className="cv-help">
            Also passed as arguments (Airflow renders the operator&apos;s templated fields); keep each key in
            one place.
          </p>
          <JsonEditor
            value={templates}
            readOnly={readOnly}
            testId="prop-op-templates"
            error={fields.templates?.message}
            onChange={(v) => set({ templates: v as Record<string, string> }, "templates")}
          />
        </>
      )}
    </div>
  );
}
