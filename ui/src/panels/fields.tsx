// Small form pieces shared by the property panels: a problem list, a text field, a description.
import { useState } from "react";
import { FieldInput } from "../forms/SchemaForm";
import type { Problem } from "../spec/types";
import { Markdown } from "../ui/Markdown";

export function ProblemList({ problems }: { problems: Problem[] }) {
  if (!problems.length) return null;
  return (
    <div data-testid="panel-problems">
      {problems.map((p, i) => (
        <div key={i} className="cv-alert">
          <strong>{p.code}</strong>: {p.message}
          {p.hint && <div className="cv-hint">Hint: {p.hint}</div>}
        </div>
      ))}
    </div>
  );
}

export function TextField({
  label,
  value,
  onChange,
  readOnly,
  testId,
  error,
  hint,
  multiline,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  readOnly: boolean;
  testId: string;
  error?: Problem;
  hint?: string;
  multiline?: boolean;
}) {
  const field = {
    key: testId,
    label,
    kind: multiline ? "text" : "string",
    required: false,
    nullable: true,
  } as const;
  return (
    <FieldInput
      field={field}
      value={value}
      onCommit={(v) => onChange(String(v ?? ""))}
      readOnly={readOnly}
      testId={testId}
      error={error?.message}
      hint={error?.hint ?? hint}
    />
  );
}

export function DescriptionField({
  value,
  onChange,
  readOnly,
  testId,
}: {
  value: string;
  onChange: (v: string) => void;
  readOnly: boolean;
  testId: string;
}) {
  const [preview, setPreview] = useState(false);
  return (
    <div className="cv-field">
      <div className="cv-row">
        <label style={{ fontWeight: 600, fontSize: 12 }}>Description (Markdown)</label>
        <span style={{ flex: 1 }} />
        <button
          className="cv-btn small"
          data-testid={`${testId}-preview-toggle`}
          onClick={() => setPreview(!preview)}
        >
          {preview ? "Edit" : "Preview"}
        </button>
      </div>
      {preview ? (
        <Markdown text={value} />
      ) : (
        <textarea
          className="cv-textarea"
          data-testid={testId}
          value={value}
          readOnly={readOnly}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </div>
  );
}
