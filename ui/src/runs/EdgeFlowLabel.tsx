// Data on an edge in the shown run: items and size, a sample of the data on hover.
import { EdgeLabelRenderer } from "@xyflow/react";
import type { EdgeFlow } from "./api";
import { formatBytes } from "./runData";

export function EdgeFlowLabel({
  id,
  flow,
  x,
  y,
}: {
  id: string;
  flow: EdgeFlow | undefined;
  x: number;
  y: number;
}) {
  if (!flow) return null;
  return (
    <EdgeLabelRenderer>
      <div
        className="cv-edge-flow nodrag nopan"
        data-testid={`edge-flow-${id}`}
        title={flow.sample + (flow.truncated ? " …" : "")}
        style={{
          position: "absolute",
          transform: `translate(-50%, 0) translate(${x}px, ${y + 10}px)`,
          pointerEvents: "all",
          fontSize: 10,
          padding: "0 4px",
          borderRadius: 8,
          background: "#e3f2fd",
          color: "#0d47a1",
          border: "1px solid #90caf9",
          whiteSpace: "nowrap",
          cursor: "help",
        }}
      >
        {flow.items} item{flow.items === 1 ? "" : "s"} · {formatBytes(flow.bytes)}
      </div>
    </EdgeLabelRenderer>
  );
}
