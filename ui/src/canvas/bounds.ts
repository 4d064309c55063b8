// Sizes React Flow measured for group members (and every node of a small canvas), kept so a group's
// frame and an edge's detour are computed from what is drawn (toFlow) rather than from the
// NODE_W x NODE_H estimate; and the fit's zoom cap.
import { getViewportForBounds, type Node, type NodeChange, type Viewport } from "@xyflow/react";
import { NODE_H, NODE_W, type MeasuredSizes } from "./toFlow";

/** Fit may zoom in this far: a small workflow fills the canvas instead of stopping at 100%, yet
 * stays readable (text is not blown up past 1.5x). */
export const FIT_MAX_ZOOM = 1.5;

type Size = { width: number; height: number };

/** Up to this many elements every node's measured size is kept (edges are routed round the drawn
 * boxes, edgeRoute.ts); above it only group members' are, so the first render of a big flat
 * workflow is not derived a second time for its sizes (there the NODE_W x NODE_H estimate holds). */
export const ALL_SIZES_UP_TO = 400;

/** The measured sizes among `changes` of nodes that sit in a group (canvas nodes with a parent), or
 * of every canvas node on a canvas of up to ALL_SIZES_UP_TO elements. */
export function memberSizes(changes: NodeChange[], nodes: readonly Node[]): Map<string, Size> | null {
  let out: Map<string, Size> | null = null;
  let parentOf: Map<string, Node> | null = null;
  for (const c of changes) {
    if (c.type !== "dimensions" || !c.dimensions) continue;
    parentOf ??= new Map(nodes.map((n) => [n.id, n]));
    const n = parentOf.get(c.id);
    if (!n || n.type !== "canvas" || (!n.parentId && nodes.length > ALL_SIZES_UP_TO)) continue;
    (out ??= new Map()).set(c.id, { width: c.dimensions.width, height: c.dimensions.height });
  }
  return out;
}

/** `cur` with `next` merged in, or null when nothing changed by a pixel or more (sub-pixel
 * re-measures must not re-derive the whole flow). */
export function mergeSizes(cur: MeasuredSizes, next: ReadonlyMap<string, Size>): MeasuredSizes | null {
  let out: Map<string, Size> | null = null;
  for (const [id, size] of next) {
    const old = cur.get(id);
    if (old && Math.abs(old.width - size.width) < 1 && Math.abs(old.height - size.height) < 1) continue;
    (out ??= new Map(cur)).set(id, size);
  }
  return out;
}

/** The viewport that shows every top-level element (groups carry their members) in a pane of
 * `width` x `height`, from the spec's own positions: with onlyRenderVisibleElements the nodes
 * outside the view are never measured, so React Flow's fitView would not see them. Null for an
 * empty canvas or a pane without a size yet. */
export function fitViewportFor(
  nodes: readonly Node[],
  width: number,
  height: number,
  minZoom: number,
  maxZoom: number = FIT_MAX_ZOOM,
): Viewport | null {
  const top = nodes.filter((n) => !n.parentId);
  if (top.length === 0 || !width || !height) return null;
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const n of top) {
    const w = Number(n.style?.width ?? n.measured?.width ?? NODE_W);
    const h = Number(n.style?.height ?? n.measured?.height ?? NODE_H);
    x0 = Math.min(x0, n.position.x);
    y0 = Math.min(y0, n.position.y);
    x1 = Math.max(x1, n.position.x + w);
    y1 = Math.max(y1, n.position.y + h);
  }
  return getViewportForBounds(
    { x: x0, y: y0, width: x1 - x0, height: y1 - y0 },
    width,
    height,
    minZoom,
    maxZoom,
    0.1,
  );
}
