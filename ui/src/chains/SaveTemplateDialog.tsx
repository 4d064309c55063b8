// "Save as template": the workflow becomes a user template listed in the New workflow dialog; the
// fields ticked here become its parameters (their current values are the defaults).
import { useMemo, useState } from "react";
import type { Workflow } from "../spec/types";
import { Modal } from "../ui/Modal";
import { ChainsApi } from "./api";
import { paramCandidates } from "./params";

export function SaveTemplateDialog({
  wf,
  onClose,
  onSaved,
}: {
  wf: Workflow;
  onClose: () => void;
  onSaved: (name: string) => void;
}) {
  const candidates = useMemo(() => paramCandidates(wf), [wf]);
  const [name, setName] = useState(
    wf.id
      .toLowerCase()
      .replace(/[^a-z0-9_]+/g, "_")
      .replace(/^[^a-z]+/, "") || "template",
  );
  const [title, setTitle] = useState(wf.name || wf.id);
  const [description, setDescription] = useState("");
  const [chosen, setChosen] = useState<Set<string>>(() => new Set(candidates.map((c) => c.pointer)));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const toggle = (pointer: string) =>
    setChosen((s) => {
      const next = new Set(s);
      if (next.has(pointer)) next.delete(pointer);
      else next.add(pointer);
      return next;
    });

  return (
    <Modal title="Save as template" onClose={onClose} testId="save-template-dialog">
      <div className="cv-field">
        <label>Template name (letters, digits, _)</label>
        <input
          className="cv-input"
          data-testid="template-name"
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
      </div>
      <div className="cv-field">
        <label>Title</label>
        <input
          className="cv-input"
          data-testid="template-title"
          value={title}
          onChange={(e) => setTitle(e.target.value)}
        />
      </div>
      <div className="cv-field">
        <label>Description</label>
        <input className="cv-input" value={description} onChange={(e) => setDescription(e.target.value)} />
      </div>
      <div className="cv-field" data-testid="template-params">
        <label>Parameters (asked when a workflow is created from the template)</label>
        {candidates.length === 0 && (
          <span className="cv-help">
            No schedule, connection or parameter values to offer; the name is always asked.
          </span>
        )}
        {candidates.map((c) => (
          <label className="cv-row" key={c.pointer}>
            <input
              type="checkbox"
              data-testid={`template-param-${c.name}`}
              checked={chosen.has(c.pointer)}
              onChange={() => toggle(c.pointer)}
            />{" "}
            {c.title} <span className="cv-help">({String(c.value)})</span>
          </label>
        ))}
      </div>
      {error && (
        <div className="cv-alert" data-testid="template-error">
          {error}
        </div>
      )}
      <div className="cv-actions">
        <button className="cv-btn" onClick={onClose}>
          Cancel
        </button>
        <button
          className="cv-btn primary"
          data-testid="template-save"
          disabled={busy || !name}
          onClick={async () => {
            setBusy(true);
            setError(null);
            try {
              const parameters = candidates
                .filter((c) => chosen.has(c.pointer))
                .map((c) => ({ name: c.name, pointer: c.pointer, title: c.title }));
              const t = await ChainsApi.saveTemplate(wf, { name, title, description, parameters });
              onSaved(t.name);
            } catch (e) {
              setError((e as Error).message);
              setBusy(false);
            }
          }}
        >
          Save template
        </button>
      </div>
    </Modal>
  );
}
