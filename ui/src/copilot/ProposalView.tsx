// A validated proposal: what it changes (sentences + a preview diagram drawn with the canvas
// components), its warnings, and Apply / Reject. Applying is one undo step on the canvas.
import { useMemo, useState } from "react";
import type { Workflow } from "../spec/types";
import { FlowDiagram, previewGraph } from "./Diagram";
import { placedProposal, proposalDiff } from "./proposalDiff";
import type { Proposal } from "./types";

export interface ProposalViewProps {
  proposal: Proposal;
  current: Workflow;
  outcome?: "applied" | "rejected";
  readOnly: boolean;
  busy: boolean;
  onApply: () => void;
  onReject: () => void;
  /** Show the proposal on the canvas as a diff (null = back to the workflow). */
  onPreview?: (proposal: Proposal | null) => void;
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
  // Drawn against the workflow as it was when the proposal arrived (what the server's diff is
  // about), so applying it does not turn the diagram into "nothing changed".
  const [base] = useState(current);
  const preview = useMemo(() => {
    const after = placedProposal(base, proposal);
    return after ? previewGraph(proposalDiff(base, after, proposal.diff)) : null;
  }, [proposal, base]);
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
              onMouseEnter={() => onPreview(proposal)}
              onMouseLeave={() => !pinned && onPreview(null)}
              onClick={() => {
                setPinned(!pinned);
                onPreview(pinned ? null : proposal);
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
