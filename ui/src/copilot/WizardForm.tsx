// One step of a co-pilot wizard as a form. The server keeps no state: every answer so far is sent
// with each step, and the last step returns a validated proposal.
import { useState } from "react";
import type { Problem } from "../spec/types";
import type { WizardField, WizardStep } from "./types";

export interface WizardFormProps {
  title: string;
  step: WizardStep;
  /** How many steps the wizard has; the last one's button says what it does. */
  steps: number;
  answers: Record<string, unknown>;
  problems: Problem[];
  busy: boolean;
  onNext: (answers: Record<string, unknown>) => void;
  onCancel: () => void;
}

function initial(field: WizardField, answers: Record<string, unknown>): unknown {
  if (field.name in answers) return answers[field.name];
  if (field.kind === "multiselect") return Array.isArray(field.default) ? field.default : [];
  return field.default ?? "";
}

export function WizardForm({
  title,
  step,
  steps,
  answers,
  problems,
  busy,
  onNext,
  onCancel,
}: WizardFormProps) {
  const [values, setValues] = useState<Record<string, unknown>>(() =>
    Object.fromEntries(step.fields.map((f) => [f.name, initial(f, answers)])),
  );
  const set = (name: string, value: unknown) => setValues((v) => ({ ...v, [name]: value }));
  const errorFor = (name: string) => problems.find((p) => p.pointer === `/answers/${name}`)?.message;
  const general = problems.filter((p) => !step.fields.some((f) => p.pointer === `/answers/${f.name}`));
  return (
    <form
      className="cv-cp-wizard"
      data-testid="copilot-wizard"
      onSubmit={(e) => {
        e.preventDefault();
        onNext({ ...answers, ...values });
      }}
    >
      <div className="cv-cp-wizard-head">
        <strong>{title}</strong> · {step.title}{" "}
        <span className="cv-help">
          ({step.index + 1}/{steps})
        </span>
      </div>
      {step.fields.map((f) => {
        const value = values[f.name];
        const error = errorFor(f.name);
        const id = `cp-wiz-${f.name}`;
        return (
          <div className="cv-field" key={f.name}>
            <label htmlFor={id}>
              {f.label}
              {f.required ? " *" : ""}
            </label>
            {f.kind === "select" ? (
              <select
                id={id}
                className={`cv-select ${error ? "invalid" : ""}`}
                data-testid={`wizard-${f.name}`}
                value={String(value ?? "")}
                onChange={(e) => set(f.name, e.target.value)}
              >
                {f.options.map((o) => (
                  <option key={o} value={o}>
                    {o || "(none)"}
                  </option>
                ))}
              </select>
            ) : f.kind === "multiselect" ? (
              <select
                id={id}
                multiple
                className="cv-select"
                data-testid={`wizard-${f.name}`}
                value={(value as string[]) ?? []}
                onChange={(e) =>
                  set(
                    f.name,
                    Array.from(e.target.selectedOptions).map((o) => o.value),
                  )
                }
              >
                {f.options.map((o) => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
              </select>
            ) : f.kind === "textarea" || f.kind === "json" ? (
              <textarea
                id={id}
                className={`cv-textarea ${error ? "invalid" : ""}`}
                data-testid={`wizard-${f.name}`}
                value={typeof value === "string" ? value : JSON.stringify(value ?? "", null, 2)}
                onChange={(e) => set(f.name, e.target.value)}
              />
            ) : (
              <input
                id={id}
                className={`cv-input ${error ? "invalid" : ""}`}
                data-testid={`wizard-${f.name}`}
                type={f.kind === "number" ? "number" : "text"}
                value={String(value ?? "")}
                onChange={(e) => set(f.name, f.kind === "number" ? Number(e.target.value) : e.target.value)}
              />
            )}
            {f.help && <span className="cv-help">{f.help}</span>}
            {error && <span className="cv-error">{error}</span>}
          </div>
        );
      })}
      {general.map((p, i) => (
        <div key={i} className="cv-error">
          {p.message}
        </div>
      ))}
      <div className="cv-cp-actions">
        <button type="submit" className="cv-btn primary" disabled={busy} data-testid="wizard-next">
          {step.index + 1 >= steps ? "Propose" : "Next"}
        </button>
        <button type="button" className="cv-btn" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
