// The editor's toolbar: back to the list, title, version and branch, unsaved and validation badges,
// and the editing buttons (each with its keyboard shortcut in the title).
import { requestChain } from "../chains/store";
import type { CheckStatus } from "../state/hooks";

export interface ToolbarProps {
  title: string;
  headVersion: number | undefined;
  branch: string | undefined;
  /** Unsaved changes (only an editor has them). */
  dirty: boolean;
  validationStatus: CheckStatus;
  errorCount: number;
  /** The editing buttons are shown (an editor, no version diff on the canvas). */
  editing: boolean;
  canRun: boolean;
  canUndo: boolean;
  canRedo: boolean;
  canGroup: boolean;
  onBack: () => void;
  onUndo: () => void;
  onRedo: () => void;
  onGroup: () => void;
  onLayout: () => void;
  onFit: () => void;
  onSave: () => void;
  onRun: () => void;
  /** Enter or leave debug mode (absent: the user may not run code). */
  onDebug?: () => void;
  debugging?: boolean;
}

export function EditorToolbar({
  title,
  headVersion,
  branch,
  dirty,
  validationStatus,
  errorCount,
  editing,
  canRun,
  canUndo,
  canRedo,
  canGroup,
  onBack,
  onUndo,
  onRedo,
  onGroup,
  onLayout,
  onFit,
  onSave,
  onRun,
  onDebug,
  debugging = false,
}: ToolbarProps) {
  return (
    <div className="cv-toolbar" data-testid="editor-toolbar">
      <button className="cv-btn" data-testid="back-to-list" onClick={onBack} title="All workflows">
        ←
      </button>
      <span className="cv-title" data-testid="editor-title">
        {title}
      </span>
      <span className="cv-badge" data-testid="editor-version">
        v{headVersion ?? "new"}
        {branch && branch !== "main" ? ` · ${branch}` : ""}
      </span>
      {dirty && (
        <span className="cv-badge" data-testid="dirty">
          unsaved
        </span>
      )}
      <span className="cv-badge" data-testid="validation-status" data-status={validationStatus}>
        {validationStatus === "checking"
          ? "checking…"
          : validationStatus === "valid"
            ? "valid"
            : validationStatus === "invalid"
              ? `${errorCount} error(s)`
              : validationStatus}
      </span>
      <span className="cv-spacer" />
      {editing && (
        <>
          <button
            className="cv-btn"
            data-testid="undo"
            disabled={!canUndo}
            onClick={onUndo}
            title="Undo (Ctrl+Z)"
          >
            Undo
          </button>
          <button
            className="cv-btn"
            data-testid="redo"
            disabled={!canRedo}
            onClick={onRedo}
            title="Redo (Ctrl+Y)"
          >
            Redo
          </button>
          <button
            className="cv-btn"
            data-testid="group-button"
            disabled={!canGroup}
            onClick={onGroup}
            title="Group (Ctrl+G)"
          >
            Group
          </button>
          <button
            className="cv-btn"
            data-testid="insert-chain-button"
            onClick={() => requestChain({ kind: "insert-chain" })}
            title="Insert a chain from the library"
          >
            Insert chain…
          </button>
          <button
            className="cv-btn"
            data-testid="layout-button"
            onClick={onLayout}
            title="Auto-layout (ELK, left to right)"
          >
            Auto-layout
          </button>
        </>
      )}
      <button className="cv-btn" data-testid="fit-button" onClick={onFit}>
        Fit
      </button>
      {editing && (
        <button
          className="cv-btn primary"
          data-testid="save-button"
          onClick={onSave}
          title="Save a version (Ctrl+S)"
        >
          Save
        </button>
      )}
      {editing && (
        <button
          className="cv-btn"
          data-testid="save-template-button"
          onClick={() => requestChain({ kind: "save-template" })}
          title="Save this workflow as a template with parameters"
        >
          Save as template…
        </button>
      )}
      {canRun && (
        <button className="cv-btn" data-testid="run-button" onClick={onRun}>
          Run
        </button>
      )}
      {onDebug && (
        <button
          className={`cv-btn ${debugging ? "active" : ""}`}
          data-testid="debug-button"
          aria-pressed={debugging}
          onClick={onDebug}
          title="Debug: run the draft node by node in the sandbox, with breakpoints (no save, no deploy)"
        >
          {debugging ? "Exit debug" : "Debug"}
        </button>
      )}
    </div>
  );
}
