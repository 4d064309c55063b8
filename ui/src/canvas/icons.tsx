// One glyph per node type (inline SVG: no icon font to load).
import type { NodeType } from "../spec/types";

const PATHS: Record<NodeType, string> = {
  // arrow into a box
  input: "M3 12h11M10 8l4 4-4 4M15 4h5v16h-5",
  // gear-like cog: a circle with spokes
  process:
    "M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8zM12 2v3M12 19v3M2 12h3M19 12h3M5 5l2 2M17 17l2 2M5 19l2-2M17 7l2-2",
  // wrench
  tool: "M14 6a4 4 0 0 0 5 5l-8 8a2 2 0 0 1-3-3l8-8a4 4 0 0 0-2-2z",
  // sparkle
  agent: "M12 3l2 6 6 2-6 2-2 6-2-6-6-2 6-2z",
  // box with arrow out
  output: "M10 12h11M17 8l4 4-4 4M9 4H4v16h5",
};

export function NodeIcon({ type, size = 16 }: { type: NodeType; size?: number }) {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={2}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden
    >
      <path d={PATHS[type] ?? PATHS.process} />
    </svg>
  );
}

export const TYPE_LABEL: Record<NodeType, string> = {
  input: "Input",
  process: "Process",
  tool: "Tool",
  agent: "Agent",
  output: "Output",
};
