// The Co-pilot page's unsaved changes: what the applied proposals change against the saved
// version (a list and the diagram with the canvas's marks), with Save and Discard. Nothing is
// saved until Save is pressed.
import { useMemo, useState } from "react";
import type { Workflow } from "../spec/types";
import { diffWorkflows, formatValue as fullValue } from "../state/diff";
import { FlowDiagram, previewGraph } from "./Diagram";

/** A value short enough for one line of the list (a tool's code is not). */
function formatValue(v: unknown): string {
  const text = fullValue(v);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

export function PendingChanges({
  saved,
  draft,
  busy,
  onSave,
  onDiscard,
}: {
  saved: Workflow;
  draft: Workflow;
  busy: boolean;
  onSave: (message: string) => void;
  onDiscard: () => void;
}) {
  // Both sides are the server's canonical form (the stored spec and /copilot/apply's answer), so
  // comparing them field by field marks only what the proposals changed.
  const diff = useMemo(() => diffWorkflows(saved, draft), [saved, draft]);
  const preview = useMemo(() => previewGraph(diff), [diff]);
  const [message, setMessage] = useState("");
  const rows = [...diff.nodes, ...diff.edges, ...diff.groups].filter((d) => d.status !== "unchanged");
  return (
    <div className="cv-cp-proposal cv-cp-pending" data-testid="copilot-page-pending">
      <div className="cv-cp-proposal-head">
        <strong>Unsaved changes</strong>
        <span className="cv-help">
          {diff.counts.added} added, {diff.counts.removed} removed, {diff.counts.changed} changed
        </span>
      </div>
      <ul className="cv-cp-changes" data-testid="copilot-page-changes">
        {rows.map((d) => (
          <li key={`${d.status}-${d.id}`} className={`cv-cp-change ${d.status}`}>
            {d.status} <code>{d.id}</code>
            {d.changes.slice(0, 4).map((c) => (
              <span key={c.path}>
                {" "}
                · <code>{c.path}</code>: {formatValue(c.before)} → {formatValue(c.after)}
              </span>
            ))}
          </li>
        ))}
        {diff.workflow.map((c) => (
          <li key={c.path} className="cv-cp-change changed">
            workflow <code>{c.path}</code>: {formatValue(c.before)} → {formatValue(c.after)}
          </li>
        ))}
      </ul>
      <FlowDiagram wf={preview.wf} overlays={preview.overlays} height={160} testId="copilot-page-diagram" />
      <div className="cv-cp-actions">
        <input
          className="cv-input"
          placeholder="What changed (version message)"
          value={message}
          onChange={(e) => setMessage(e.target.value)}
          data-testid="copilot-page-message"
        />
        <button
          className="cv-btn primary"
          disabled={busy}
          data-testid="copilot-page-save"
          onClick={() => onSave(message.trim())}
        >
          Save version
        </button>
        <button className="cv-btn" disabled={busy} data-testid="copilot-page-discard" onClick={onDiscard}>
          Discard
        </button>
      </div>
    </div>
  );
}
