// Edges styled by kind (solid data flow, dashed dependency, dotted trigger), with optional label,
// condition badge, and red/green/amber outlines for problems and diffs. An edge with a node in its
// way (toFlow's detour, edgeRoute.ts) goes round it along a lane, its label on the lane. Zoomed far
// out (below DETAIL_ZOOM) no label is drawn: unreadable there, and on a big canvas thousands of HTML
// labels to lay out and repaint on every frame of a pan.
import {
  BaseEdge,
  EdgeLabelRenderer,
  getBezierPath,
  useStore,
  type Edge,
  type EdgeProps,
} from "@xyflow/react";
import { memo } from "react";
import { EdgeFlowLabel } from "../runs/EdgeFlowLabel";
import { DETAIL_ZOOM } from "./CanvasNode";
import { detourPath } from "./edgeRoute";
import type { EdgeData } from "./toFlow";

// A boolean: edges re-render only when the zoom crosses the threshold, not on every pan frame.
const zoomedOut = (s: { transform: [number, number, number] }) => s.transform[2] < DETAIL_ZOOM;

function CanvasEdgeView(props: EdgeProps<Edge<EdgeData>>) {
  const { id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, markerEnd, style } =
    props;
  const detour =
    data?.detourTop !== undefined
      ? detourPath(sourceX, sourceY, targetX, targetY, {
          detourLeft: data.detourLeft!,
          detourTop: data.detourTop,
          detourRight: data.detourRight!,
          detourBottom: data.detourBottom!,
        })
      : null;
  const [path, labelX, labelY] = detour
    ? [detour.path, detour.labelX, detour.labelY]
    : getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  const far = useStore(zoomedOut);
  const edge = data?.edge;
  const hasError = (data?.problems ?? []).some((p) => p.severity !== "warning");
  const text = [edge?.label, edge?.condition ? `if ${edge.condition}` : ""].filter(Boolean).join(" · ");
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} style={style} interactionWidth={14} />
      {!far && <EdgeFlowLabel id={id} flow={data?.flow} x={labelX} y={labelY} />}
      {text && !far && !data?.aggregated && (
        <EdgeLabelRenderer>
          <div
            className={`cv-edge-label nodrag nopan ${edge?.condition ? "cond" : ""} ${hasError ? "has-error" : ""}`}
            data-testid={`edge-label-${id}`}
            title={text}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
          >
            {text}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

export const CanvasEdge = memo(CanvasEdgeView);
