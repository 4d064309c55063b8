// A node's last runs as a strip of small squares (state colour, height by duration), oldest left.
import { formatDuration, stateClass } from "../state/status";
import type { StripCell } from "./runData";

export const STATE_COLOURS: Record<string, string> = {
  success: "#2e7d32",
  failed: "#c62828",
  running: "#1565c0",
  queued: "#9e9e9e",
  up_for_retry: "#f9a825",
  skipped: "#f48fb1",
  removed: "#bdbdbd",
  idle: "#e0e0e0",
};

export function stateColour(state: string | null | undefined): string {
  return STATE_COLOURS[stateClass(state)] ?? STATE_COLOURS.idle;
}

export function RunStrip({
  cells,
  onPick,
  testId,
  height = 12,
}: {
  cells: StripCell[] | undefined;
  onPick?: (runId: string) => void;
  testId?: string;
  height?: number;
}) {
  if (!cells?.length) return null;
  const longest = Math.max(...cells.map((c) => c.duration ?? 0), 0.001);
  return (
    <div
      className="cv-run-strip nodrag"
      data-testid={testId}
      style={{ display: "flex", alignItems: "flex-end", gap: 2, height, marginTop: 3 }}
    >
      {cells.map((c) => (
        <span
          key={c.runId}
          data-state={c.state ?? "none"}
          data-selected={c.selected ? "true" : "false"}
          title={`${c.runId}: ${c.state ?? "did not run"}${c.duration != null ? `, ${formatDuration(c.duration)}` : ""}`}
          onClick={
            onPick
              ? (e) => {
                  e.stopPropagation();
                  onPick(c.runId);
                }
              : undefined
          }
          style={{
            width: 8,
            height: Math.max(3, Math.round(height * ((c.duration ?? 0) / longest))),
            background: c.state ? stateColour(c.state) : "transparent",
            border: c.state ? "none" : "1px dashed #bbb",
            // The shown run: a dark bar under it (an outline round an 8 px bar reads as a box).
            boxShadow: c.selected ? "0 3px 0 -1px #333" : "none",
            borderRadius: 1,
            cursor: onPick ? "pointer" : "default",
          }}
        />
      ))}
    </div>
  );
}
