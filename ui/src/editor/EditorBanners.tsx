// The strips around the canvas: the banners under the toolbar (a draft to restore, read-only, a
// version diff, the run on show), the problems bar and the toast. Presentational only: the editor
// owns the state and passes what to do.
import type { Problem } from "../spec/types";
import { stateClass } from "../state/status";
import { type Draft, draftTime } from "./drafts";

const DiffLegend = () => (
  <>
    <b style={{ color: "var(--cv-added)" }}>added</b> <b style={{ color: "var(--cv-removed)" }}>removed</b>{" "}
    <b style={{ color: "var(--cv-changed)" }}>changed</b>
  </>
);

export function DraftOffer(props: {
  offer: Draft;
  headVersion: number | null | undefined;
  branch: string;
  onRestore: () => void;
  onDiscard: () => void;
}) {
  const { offer, headVersion, branch } = props;
  return (
    <div className="cv-banner warn" data-testid="draft-offer">
      You have unsaved changes from {draftTime(offer.updated_at)}
      {offer.base_version && headVersion && offer.base_version !== headVersion
        ? ` (made on v${offer.base_version}; the workflow is now at v${headVersion})`
        : ""}
      {offer.branch !== branch ? ` on branch ${offer.branch}` : ""} —{" "}
      <button className="cv-btn small primary" data-testid="draft-restore" onClick={props.onRestore}>
        Restore
      </button>{" "}
      <button className="cv-btn small" data-testid="draft-discard" onClick={props.onDiscard}>
        Discard
      </button>
    </div>
  );
}

export const ReadOnlyBanner = () => (
  <div className="cv-banner warn" data-testid="readonly-banner">
    Read-only: you can view this workflow but not change it.
  </div>
);

export function DiffBanner(props: { from: number; to: number; onExit: () => void }) {
  return (
    <div className="cv-banner diff" data-testid="diff-banner">
      Comparing v{props.from} → v{props.to}: <DiffLegend />
      <button className="cv-btn small" onClick={props.onExit} data-testid="diff-exit-banner">
        Exit diff
      </button>
    </div>
  );
}

export function RunBanner(props: { runId: string; state: string }) {
  return (
    <div className="cv-banner" data-testid="run-banner">
      Run <code>{props.runId}</code>{" "}
      <span className={`cv-badge state-${stateClass(props.state)}`} data-testid="run-banner-state">
        {props.state}
      </span>
    </div>
  );
}

// Over the canvas, not above it: hovering "Preview" in the chat must not shift the layout.
export function PreviewBanner(props: { onEnd: () => void }) {
  return (
    <div className="cv-banner diff cv-preview-banner" data-testid="preview-banner">
      Previewing the co-pilot's proposal: <DiffLegend />
      <button className="cv-btn small" onClick={props.onEnd} data-testid="preview-exit">
        End preview
      </button>
    </div>
  );
}

export function ProblemsBar(props: { problems: Problem[]; onSelect: (p: Problem) => void }) {
  return (
    <div className="cv-problems" data-testid="problems">
      {props.problems.map((p, i) => (
        <div
          key={i}
          className={`cv-problem ${p.severity}`}
          data-testid={`problem-${p.code}`}
          onClick={() => props.onSelect(p)}
        >
          <span className="code">{p.code}</span>
          <span>{p.node_id || p.edge_id || p.group_id || "workflow"}</span>
          <span>{p.message}</span>
          {p.hint && <span className="cv-hint">{p.hint}</span>}
        </div>
      ))}
    </div>
  );
}

export function Toast(props: { text: string }) {
  return (
    <div
      className="cv-banner"
      data-testid="toast"
      style={{
        position: "absolute",
        bottom: 12,
        left: "40%",
        borderRadius: 8,
        border: "1px solid var(--cv-border)",
        zIndex: 20,
      }}
    >
      {props.text}
    </div>
  );
}
