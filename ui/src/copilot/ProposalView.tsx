// A validated proposal: what it changes (sentences + a preview diagram drawn with the canvas
// components), its warnings, and Apply / Reject. Applying is one undo step on the canvas.
import { useMemo, useState } from "react";
import type { Workflow } from "../spec/types";
import { FlowDiagram, previewGraph } from "./Diagram";
import type { Proposal } from "./types";

export interface ProposalViewProps {
  proposal: Proposal;
  current: Workflow;
  outcome?: "applied" | "rejected";
  readOnly: boolean;
  busy: boolean;
  onApply: () => void;
  onReject: () => void;
  onPreview?: (next: Workflow | null) => void;
}

export function ProposalView({
  proposal,
  current,
  outcome,
  readOnly,
  busy,
  onApply,
  onReject,
  onPreview,
}: ProposalViewProps) {
  const [pinned, setPinned] = useState(false);
  const preview = useMemo(
    () => (proposal.workflow ? previewGraph(current, proposal.workflow) : null),
    [proposal.workflow, current],
  );
  return (
    <div className="cv-cp-proposal" data-testid="copilot-proposal">
      <div className="cv-cp-proposal-head">
        <strong>Proposed change</strong>
        {outcome && (
          <span
            className={`cv-badge ${outcome === "applied" ? "state-success" : ""}`}
            data-testid={`proposal-${outcome}`}
          >
            {outcome}
          </span>
        )}
      </div>
      <div className="cv-cp-summary">{proposal.summary}</div>
      <ul className="cv-cp-changes" data-testid="proposal-changes">
        {proposal.changes.map((c, i) => {
          const kind = c.startsWith("Adds") ? "added" : c.startsWith("Removes") ? "removed" : "changed";
          return (
            <li key={i} className={`cv-cp-change ${kind}`}>
              {c.replace(/`/g, "")}
            </li>
          );
        })}
      </ul>
      {preview && <FlowDiagram wf={preview.wf} overlays={preview.overlays} testId="proposal-diagram" />}
      {proposal.warnings.length > 0 && (
        <details className="cv-cp-warnings">
          <summary>{proposal.warnings.length} warning(s) remain</summary>
          <ul>
            {proposal.warnings.map((w, i) => (
              <li key={i}>{w.message}</li>
            ))}
          </ul>
        </details>
      )}
      {!outcome && (
        <div className="cv-cp-actions">
          <button
            className="cv-btn primary"
            data-testid="proposal-apply"
            disabled={readOnly || busy}
            onClick={onApply}
            title={readOnly ? "You cannot edit this workflow" : "Apply as one undoable step"}
          >
            Apply
          </button>
          <button className="cv-btn" data-testid="proposal-reject" disabled={busy} onClick={onReject}>
            Reject
          </button>
          {onPreview && proposal.workflow && (
            // Hover shows the proposal on the canvas for a moment; a click keeps it there.
            <button
              className="cv-btn"
              data-testid="proposal-preview"
              aria-pressed={pinned}
              onMouseEnter={() => onPreview(proposal.workflow ?? null)}
              onMouseLeave={() => !pinned && onPreview(null)}
              onClick={() => {
                setPinned(!pinned);
                onPreview(pinned ? null : (proposal.workflow ?? null));
              }}
            >
              {pinned ? "Hide preview" : "Preview on canvas"}
            </button>
          )}
        </div>
      )}
    </div>
  );
}
