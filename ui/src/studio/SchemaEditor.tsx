// A tool's input or output schema as a form (name, type, required, description per field) and as
// JSON, kept in sync: the form writes into the schema keeping what it does not show (enum, items,
// formats), and valid JSON typed in the JSON view updates the form.
import { useEffect, useState } from "react";
import type { Diagnostic } from "./api";
import { CodeEditor } from "./CodeEditor";
import {
  FIELD_TYPES,
  parseJsonObject,
  rowsFromSchema,
  schemaFromRows,
  type FieldRow,
  type FieldType,
} from "./model";

type Schema = Record<string, unknown>;
interface Row extends FieldRow {
  origin: string | null; // the property's name in the schema it came from (renames keep its keywords)
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const toRows = (s: Schema): Row[] => rowsFromSchema(s).map((r) => ({ ...r, origin: r.name }));
const pretty = (s: Schema) => JSON.stringify(s, null, 2);

export function SchemaEditor({
  label,
  schema,
  onChange,
  readOnly,
  diagnostics,
  testId,
}: {
  label: string;
  schema: Schema;
  onChange: (schema: Schema) => void;
  readOnly: boolean;
  diagnostics: Diagnostic[];
  testId: string;
}) {
  const [view, setView] = useState<"form" | "json">("form");
  const [rows, setRows] = useState<Row[]>(() => toRows(schema));
  const [text, setText] = useState(() => pretty(schema));
  const [jsonError, setJsonError] = useState<string | null>(null);

  // Follow the schema when it changes from outside (another version loaded, the JSON view).
  useEffect(() => {
    setRows((cur) =>
      same(
        schemaFromRows(
          cur,
          schema,
          cur.map((r) => r.origin),
        ),
        schema,
      )
        ? cur
        : toRows(schema),
    );
    setText((cur) => {
      const parsed = parseJsonObject(cur);
      return "value" in parsed && same(parsed.value, schema) ? cur : pretty(schema);
    });
  }, [schema]);

  const writeRows = (next: Row[]) => {
    setRows(next);
    onChange(
      schemaFromRows(
        next,
        schema,
        next.map((r) => r.origin),
      ),
    );
  };
  const update = (i: number, patch: Partial<FieldRow>) =>
    writeRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));

  return (
    <div className="cv-field" data-testid={testId}>
      <div className="cv-row" style={{ gap: 8 }}>
        <label style={{ fontWeight: 600 }}>{label}</label>
        <span style={{ flex: 1 }} />
        <div className="cv-tabs" style={{ margin: 0 }}>
          {(["form", "json"] as const).map((v) => (
            <button
              key={v}
              className={`cv-tab ${view === v ? "active" : ""}`}
              data-testid={`${testId}-${v}-tab`}
              onClick={() => setView(v)}
            >
              {v === "form" ? "Form" : "JSON"}
            </button>
          ))}
        </div>
      </div>
      {view === "form" ? (
        <table className="cv-table" style={{ marginTop: 4 }}>
          <thead>
            <tr>
              <th>Field</th>
              <th>Type</th>
              <th>Required</th>
              <th>Description</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={i} data-testid={`${testId}-row-${i}`}>
                <td>
                  <input
                    className="cv-input"
                    value={r.name}
                    disabled={readOnly}
                    aria-label="Field name"
                    data-testid={`${testId}-name-${i}`}
                    onChange={(e) => update(i, { name: e.target.value.trim() })}
                  />
                </td>
                <td>
                  <select
                    className="cv-input"
                    value={r.type}
                    disabled={readOnly}
                    aria-label="Field type"
                    data-testid={`${testId}-type-${i}`}
                    onChange={(e) => update(i, { type: e.target.value as FieldType })}
                  >
                    {FIELD_TYPES.map((t) => (
                      <option key={t}>{t}</option>
                    ))}
                  </select>
                </td>
                <td style={{ textAlign: "center" }}>
                  <input
                    type="checkbox"
                    checked={r.required}
                    disabled={readOnly}
                    aria-label="Required"
                    data-testid={`${testId}-required-${i}`}
                    onChange={(e) => update(i, { required: e.target.checked })}
                  />
                </td>
                <td>
                  <input
                    className="cv-input"
                    value={r.description}
                    disabled={readOnly}
                    aria-label="Description"
                    onChange={(e) => update(i, { description: e.target.value })}
                  />
                </td>
                <td>
                  {!readOnly && (
                    <button
                      className="cv-btn small"
                      data-testid={`${testId}-remove-${i}`}
                      onClick={() => writeRows(rows.filter((_, j) => j !== i))}
                    >
                      Remove
                    </button>
                  )}
                </td>
              </tr>
            ))}
            {rows.length === 0 && (
              <tr>
                <td colSpan={5} className="cv-help">
                  No fields.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      ) : (
        <CodeEditor
          value={text}
          language="json"
          readOnly={readOnly}
          minHeight={120}
          testId={`${testId}-json`}
          onChange={(t) => {
            setText(t);
            const parsed = parseJsonObject(t);
            if ("error" in parsed) setJsonError(parsed.error);
            else {
              setJsonError(null);
              onChange(parsed.value);
            }
          }}
        />
      )}
      {!readOnly && view === "form" && (
        <button
          className="cv-btn small"
          style={{ marginTop: 4, alignSelf: "flex-start" }}
          data-testid={`${testId}-add`}
          onClick={() =>
            writeRows([
              ...rows,
              {
                name: `field${rows.length + 1}`,
                type: "string",
                required: false,
                description: "",
                origin: null,
              },
            ])
          }
        >
          Add field
        </button>
      )}
      {jsonError && <div className="cv-error">JSON: {jsonError}</div>}
      {diagnostics.map((d, i) => (
        <div
          key={i}
          className={d.severity === "error" ? "cv-error" : "cv-hint"}
          data-testid={`${testId}-problem`}
        >
          {d.message}
        </div>
      ))}
    </div>
  );
}
