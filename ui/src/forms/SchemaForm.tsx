// Renders a form from a JSON Schema (fields from forms/schema.ts). Each input keeps its own text
// while typing, so half-typed numbers or JSON are not thrown away; valid values are committed.
import { useEffect, useState } from "react";
import type { JsonSchema } from "../spec/types";
import {
  coerce,
  display,
  fieldsFromSchema,
  validateValues,
  type FieldDescriptor,
  checkSchemaText,
} from "./schema";
import { ConnectionPicker } from "./ConnectionPicker";

export interface SchemaFormProps {
  schema: JsonSchema | null | undefined;
  value: Record<string, unknown>;
  onChange: (next: Record<string, unknown>, field: string) => void;
  readOnly?: boolean;
  /** Server problems keyed by field name (already matched from JSON pointers). */
  errors?: Record<string, string>;
  hints?: Record<string, string>;
  testId: string;
}

export function SchemaForm({
  schema,
  value,
  onChange,
  readOnly,
  errors = {},
  hints = {},
  testId,
}: SchemaFormProps) {
  const fields = fieldsFromSchema(schema);
  const local = validateValues(fields, value);
  if (fields.length === 0) return <div className="cv-help">No fields.</div>;
  return (
    <div data-testid={testId}>
      {fields.map((f) => (
        <FieldInput
          key={f.key}
          field={f}
          value={value[f.key]}
          readOnly={readOnly}
          error={errors[f.key] ?? local[f.key]}
          hint={hints[f.key]}
          testId={`${testId}-${f.key}`}
          onCommit={(v) => {
            const next = { ...value };
            if (v === undefined) delete next[f.key];
            else next[f.key] = v;
            onChange(next, f.key);
          }}
        />
      ))}
    </div>
  );
}

export function FieldInput({
  field,
  value,
  onCommit,
  readOnly,
  error,
  hint,
  testId,
}: {
  field: FieldDescriptor;
  value: unknown;
  onCommit: (v: unknown) => void;
  readOnly?: boolean;
  error?: string;
  hint?: string;
  testId: string;
}) {
  const shown = display(field, value);
  const [text, setText] = useState(shown);
  const [parseError, setParseError] = useState<string | null>(null);
  useEffect(() => {
    // An outside change (undo, another panel) replaces the text unless it already means the same.
    const c = coerce(field, text);
    if (!c.ok || display(field, c.value) !== shown) setText(shown);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only an outside change (`shown`) resets the text, never typing
  }, [shown]);
  const update = (t: string) => {
    setText(t);
    const c = coerce(field, t);
    if (c.ok) {
      setParseError(null);
      onCommit(c.value);
    } else setParseError(c.error);
  };
  const msg = parseError ?? error;
  const cls = msg ? "invalid" : "";
  let input;
  if (field.kind === "boolean")
    input = (
      <input
        type="checkbox"
        data-testid={testId}
        checked={value === true}
        disabled={readOnly}
        onChange={(e) => onCommit(e.target.checked)}
      />
    );
  else if (field.kind === "enum")
    input = (
      <select
        className={`cv-select ${cls}`}
        data-testid={testId}
        value={text}
        disabled={readOnly}
        onChange={(e) => update(e.target.value)}
      >
        <option value="">{field.required ? "(choose)" : "(default)"}</option>
        {field.options?.map((o) => (
          <option key={String(o)} value={String(o)}>
            {String(o)}
          </option>
        ))}
      </select>
    );
  else if (field.kind === "connection")
    input = (
      <ConnectionPicker
        value={text}
        types={field.connectionTypes ?? []}
        readOnly={readOnly}
        invalid={Boolean(msg)}
        testId={testId}
        placeholder={field.default === undefined ? undefined : String(field.default)}
        onChange={update}
      />
    );
  else if (field.kind === "text" || field.kind === "json")
    input = (
      <textarea
        className={`cv-textarea ${cls}`}
        data-testid={testId}
        value={text}
        readOnly={readOnly}
        onChange={(e) => update(e.target.value)}
        rows={field.kind === "json" ? 4 : 3}
      />
    );
  else
    input = (
      <input
        className={`cv-input ${cls}`}
        data-testid={testId}
        value={text}
        readOnly={readOnly}
        inputMode={field.kind === "string" ? undefined : "decimal"}
        onChange={(e) => update(e.target.value)}
      />
    );
  return (
    <div className="cv-field" data-field={field.key}>
      <label>
        {field.label}
        {field.required ? " *" : ""}
      </label>
      {input}
      {field.description && <span className="cv-help">{field.description}</span>}
      {msg && (
        <span className="cv-error" data-testid={`${testId}-error`}>
          {msg}
        </span>
      )}
      {hint && <span className="cv-hint">{hint}</span>}
    </div>
  );
}

/** A JSON editor for schemas and free-form objects: commits only valid JSON objects. */
export function JsonEditor({
  value,
  onChange,
  readOnly,
  testId,
  schemaMode = false,
  error,
}: {
  value: unknown;
  onChange: (v: Record<string, unknown>) => void;
  readOnly?: boolean;
  testId: string;
  schemaMode?: boolean;
  error?: string;
}) {
  const shown = JSON.stringify(value ?? {}, null, 2);
  const [text, setText] = useState(shown);
  const [localError, setLocalError] = useState<string | null>(null);
  useEffect(() => {
    try {
      if (JSON.stringify(JSON.parse(text), null, 2) === shown) return;
    } catch {
      /* replaced below */
    }
    setText(shown);
    setLocalError(null);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only an outside change (`shown`) resets the text, never typing
  }, [shown]);
  const update = (t: string) => {
    setText(t);
    if (schemaMode) {
      const r = checkSchemaText(t);
      setLocalError(r.error ?? null);
      if (r.schema) onChange(r.schema);
      return;
    }
    try {
      const v = t.trim() ? JSON.parse(t) : {};
      if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error("must be a JSON object");
      setLocalError(null);
      onChange(v);
    } catch (e) {
      setLocalError(`Invalid JSON: ${(e as Error).message}`);
    }
  };
  const msg = localError ?? error;
  return (
    <>
      <textarea
        className={`cv-textarea ${msg ? "invalid" : ""}`}
        data-testid={testId}
        value={text}
        readOnly={readOnly}
        spellCheck={false}
        rows={Math.min(14, Math.max(4, text.split("\n").length))}
        onChange={(e) => update(e.target.value)}
      />
      {msg && (
        <span className="cv-error" data-testid={`${testId}-error`}>
          {msg}
        </span>
      )}
    </>
  );
}
