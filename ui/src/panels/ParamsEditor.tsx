// A node's parameters as a form generated from a schema (an operator's arguments, a tool's input
// schema), with a raw JSON view for power users (values the form cannot show, such as Jinja in a
// field typed as an object, or keys the schema does not list).
import { useState } from "react";
import { JsonEditor, SchemaForm } from "../forms/SchemaForm";
import { fieldsFromSchema } from "../forms/schema";
import type { JsonSchema } from "../spec/types";

export function ParamsEditor({
  schema,
  value,
  onChange,
  readOnly,
  testId,
  errors,
  hints,
  error,
}: {
  schema: JsonSchema | null;
  value: Record<string, unknown>;
  onChange: (next: Record<string, unknown>, key: string) => void;
  readOnly: boolean;
  testId: string;
  errors: Record<string, string>;
  hints: Record<string, string>;
  /** A problem about the parameters as a whole (e.g. a required argument missing). */
  error?: string;
}) {
  const hasForm = fieldsFromSchema(schema).length > 0;
  const known = new Set(fieldsFromSchema(schema).map((f) => f.key));
  const extra = Object.keys(value).filter((k) => !known.has(k));
  const [raw, setRaw] = useState(false);
  const showRaw = raw || !hasForm;
  return (
    <div data-testid={`${testId}-editor`}>
      {hasForm && (
        <div className="cv-param-mode">
          <label>
            <input
              type="checkbox"
              data-testid={`${testId}-raw`}
              checked={raw}
              onChange={(e) => setRaw(e.target.checked)}
            />{" "}
            Raw JSON
          </label>
        </div>
      )}
      {error && (
        <span className="cv-error" data-testid={`${testId}-problem`}>
          {error}
        </span>
      )}
      {showRaw ? (
        <JsonEditor
          value={value}
          readOnly={readOnly}
          testId={`${testId}-json`}
          onChange={(v) => onChange(v, "")}
        />
      ) : (
        <>
          <SchemaForm
            schema={schema}
            value={value}
            readOnly={readOnly}
            testId={testId}
            errors={errors}
            hints={hints}
            onChange={onChange}
          />
          {extra.length > 0 && (
            <p className="cv-help" data-testid={`${testId}-extra`}>
              Also set (edit them in Raw JSON): {extra.join(", ")}
            </p>
          )}
        </>
      )}
    </div>
  );
}
