// The editor's dialogs: saving a version, and resolving a save that lost the race to someone else's.
import { useState } from "react";
import { ChangeList, type ServerDiffBody } from "../panels/ServerDiff";
import type { Problem } from "../spec/types";
import { Modal } from "../ui/Modal";

export interface Conflict {
  headVersion: number | undefined;
  /** The version this edit started from (the stale base). */
  baseVersion: number | undefined;
  message: string;
  diff: ServerDiffBody | null;
  yours: ServerDiffBody | null;
}

export interface SaveError {
  message: string;
  problems: Problem[];
}

export function SaveDialog({
  onClose,
  onSave,
  error,
}: {
  onClose: () => void;
  onSave: (message: string) => Promise<void>;
  error: SaveError | null;
}) {
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState(false);
  return (
    <Modal title="Save a version" onClose={onClose} testId="save-dialog">
      <div className="cv-field">
        <label>What changed?</label>
        <input
          className="cv-input"
          autoFocus
          data-testid="save-message"
          value={message}
          onChange={(e) => setMessage(e.target.value)}
          onKeyDown={async (e) => {
            if (e.key === "Enter") {
              setBusy(true);
              await onSave(message);
              setBusy(false);
            }
          }}
        />
      </div>
      {error && (
        <div className="cv-alert" data-testid="save-error">
          {error.message}
          {error.problems.map((p, i) => (
            <div key={i}>
              {p.code}: {p.message}
              {p.hint ? ` (${p.hint})` : ""}
            </div>
          ))}
        </div>
      )}
      <div className="cv-actions">
        <button className="cv-btn" onClick={onClose}>
          Cancel
        </button>
        <button
          className="cv-btn primary"
          data-testid="save-confirm"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            await onSave(message);
            setBusy(false);
          }}
        >
          Save
        </button>
      </div>
    </Modal>
  );
}

export function ConflictDialog({
  conflict,
  branch,
  onClose,
  onLoadTheirs,
  onKeepMine,
  onSaveOnBranch,
}: {
  conflict: Conflict;
  branch: string;
  onClose: () => void;
  onLoadTheirs: () => void;
  onKeepMine: () => void;
  onSaveOnBranch: (name: string) => Promise<void>;
}) {
  const [name, setName] = useState(
    `mine-v${conflict.baseVersion ?? "x"}-${Date.now().toString(36).slice(-4)}`,
  );
  const [busy, setBusy] = useState(false);
  return (
    <Modal title="Someone else saved first" onClose={onClose} testId="conflict-dialog">
      <p data-testid="conflict-versions">
        {branch === "main" ? "This workflow" : `Branch ${branch}`} was saved by someone else (now v
        {conflict.headVersion ?? "?"}) since you opened v{conflict.baseVersion ?? "?"}.
      </p>
      <h3 style={{ fontSize: 13, margin: "8px 0 0" }}>Their changes</h3>
      <ChangeList diff={conflict.diff} testId="conflict-theirs" />
      {conflict.yours && (
        <>
          <h3 style={{ fontSize: 13, margin: "8px 0 0" }}>Your unsaved changes</h3>
          <ChangeList diff={conflict.yours} testId="conflict-yours" />
        </>
      )}
      <p className="cv-help">
        <b>Load theirs</b> discards your changes. <b>Keep mine</b> saves your version on top of theirs: where
        it differs from theirs, theirs is replaced (it stays in the history). <b>Save on a branch</b> keeps
        both: yours goes to a new branch from v{conflict.baseVersion ?? "?"}, to compare and merge from the
        History tab.
      </p>
      <div className="cv-row">
        <input
          className="cv-input"
          data-testid="conflict-branch-name"
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <button
          className="cv-btn"
          data-testid="conflict-save-branch"
          disabled={busy || !/^[A-Za-z0-9_][A-Za-z0-9_-]*$/.test(name)}
          onClick={async () => {
            setBusy(true);
            await onSaveOnBranch(name);
            setBusy(false);
          }}
        >
          Save on a branch
        </button>
      </div>
      <div className="cv-actions">
        <button className="cv-btn" data-testid="conflict-cancel" onClick={onClose}>
          Cancel
        </button>
        <button className="cv-btn" data-testid="conflict-load-theirs" onClick={onLoadTheirs}>
          Load theirs
        </button>
        <button className="cv-btn primary" data-testid="conflict-keep-mine" onClick={onKeepMine}>
          Keep mine
        </button>
      </div>
    </Modal>
  );
}
