// Where new nodes go: free of overlap with every node already drawn, next to what they connect to
// (right of the upstream node, else left of the downstream one), moving down then one column on to
// the first free slot. Used for nodes the co-pilot or a template adds and for palette clicks, so a
// new node never lands on top of another one. Pure functions: the preview and Apply place alike.
import { positionOf, type SpecNode, type Workflow } from "../spec/types";
import { NODE_H, NODE_W } from "./toFlow";

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}
export type Point = { x: number; y: number };
export type Sizes = Record<string, { width: number; height: number }>;

/** Space kept between a new node and its neighbours (more than a group frame's padding). */
export const GAP_X = 80;
export const GAP_Y = 40;
const MAX_ROWS = 8; // slots tried below (and above) the preferred one before moving a column on
const MAX_COLUMNS = 40;

export function overlaps(a: Rect, b: Rect, margin = 0): boolean {
  return (
    a.x < b.x + b.w + margin &&
    b.x < a.x + a.w + margin &&
    a.y < b.y + b.h + margin &&
    b.y < a.y + a.h + margin
  );
}

export function boxOf(node: SpecNode, sizes: Sizes = {}): Rect {
  const p = positionOf(node);
  const s = sizes[node.id] ?? node.ui?.size ?? { width: NODE_W, height: NODE_H };
  return { x: p.x, y: p.y, w: s.width, h: s.height };
}

/**
 * The first free top-left corner for a `size` box near `preferred`: the preferred slot, then slots
 * below and above it (alternating, nearest first), then the same one column further in `direction`.
 * "Free" keeps half a gap clear of every box in `taken`.
 */
export function freeSlot(
  preferred: Point,
  size: { width: number; height: number },
  taken: Rect[],
  direction: 1 | -1 = 1,
): Point {
  const stepY = size.height + GAP_Y;
  const stepX = size.width + GAP_X;
  for (let col = 0; col < MAX_COLUMNS; col += 1) {
    for (let row = 0; row <= 2 * MAX_ROWS; row += 1) {
      // 0, +1, -1, +2, -2 ...: below first, as people read a flow top to bottom.
      const k = row === 0 ? 0 : row % 2 === 1 ? (row + 1) / 2 : -row / 2;
      const at = { x: preferred.x + direction * col * stepX, y: preferred.y + k * stepY };
      const box = { x: at.x, y: at.y, w: size.width, h: size.height };
      if (!taken.some((t) => overlaps(box, t, Math.min(GAP_X, GAP_Y) / 2))) return round(at);
    }
  }
  // A canvas this crowded: right of everything.
  const right = Math.max(...taken.map((t) => t.x + t.w));
  return round({ x: right + GAP_X, y: preferred.y });
}

function round(p: Point): Point {
  return { x: Math.round(p.x), y: Math.round(p.y) };
}

/** A node the server or a template left at the default position (none, or the origin). */
export function unplaced(node: SpecNode): boolean {
  const p = node.ui?.position;
  return !p || (Number(p.x ?? 0) === 0 && Number(p.y ?? 0) === 0);
}

/**
 * `next` with each of `added` placed (the ids of the nodes it adds to the workflow on screen). A new
 * node keeps the position it came with when that is set and free (a template's sub-graph keeps its
 * shape); else it goes next to its upstream node (or downstream, or right of the whole workflow)
 * at the first free slot. New nodes connected to each other are placed upstream first.
 */
export function placeNewNodes(next: Workflow, added: string[], sizes: Sizes = {}): Workflow {
  if (!added.length) return next;
  const isNew = new Set(added);
  const byId = new Map(next.nodes.map((n) => [n.id, n]));
  const taken: Rect[] = next.nodes.filter((n) => !isNew.has(n.id)).map((n) => boxOf(n, sizes));
  const placed = new Map<string, Point>();
  const boxFor = (id: string): Rect | null => {
    const n = byId.get(id);
    if (!n) return null;
    const b = boxOf(n, sizes);
    const p = placed.get(id);
    return p ? { ...b, x: p.x, y: p.y } : isNew.has(id) ? null : b;
  };
  for (const id of upstreamFirst(next, added)) {
    const node = byId.get(id);
    if (!node) continue;
    const own = boxOf(node, sizes);
    const size = { width: own.w, height: own.h };
    let at: Point;
    if (!unplaced(node) && !taken.some((t) => overlaps(own, t))) {
      at = { x: own.x, y: own.y };
    } else {
      const ups = next.edges.filter((e) => e.target === id).map((e) => boxFor(e.source));
      const downs = next.edges.filter((e) => e.source === id).map((e) => boxFor(e.target));
      const up = ups.find((b): b is Rect => b !== null);
      const down = downs.find((b): b is Rect => b !== null);
      if (up) at = freeSlot({ x: up.x + up.w + GAP_X, y: up.y }, size, taken, 1);
      else if (down) at = freeSlot({ x: down.x - size.width - GAP_X, y: down.y }, size, taken, -1);
      else at = freeSlot(rightOf(taken), size, taken, 1);
    }
    placed.set(id, at);
    taken.push({ x: at.x, y: at.y, w: size.width, h: size.height });
  }
  return {
    ...next,
    nodes: next.nodes.map((n) => {
      const p = placed.get(n.id);
      if (!p) return n;
      const old = n.ui?.position;
      return old && old.x === p.x && old.y === p.y ? n : { ...n, ui: { ...n.ui, position: p } };
    }),
  };
}

/** Right of the whole drawing, level with its top (or the origin on an empty canvas). */
function rightOf(taken: Rect[]): Point {
  if (!taken.length) return { x: 0, y: 0 };
  return {
    x: Math.max(...taken.map((t) => t.x + t.w)) + GAP_X,
    y: Math.min(...taken.map((t) => t.y)),
  };
}

/** `ids` ordered so a node comes after the new nodes upstream of it (cycles: input order). */
function upstreamFirst(wf: Workflow, ids: string[]): string[] {
  const wanted = new Set(ids);
  const preds = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const e of wf.edges)
    if (wanted.has(e.source) && wanted.has(e.target)) preds.get(e.target)!.push(e.source);
  const out: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (id: string) => {
    if (state.has(id)) return;
    state.set(id, "visiting");
    for (const p of preds.get(id) ?? []) visit(p);
    state.set(id, "done");
    out.push(id);
  };
  ids.forEach(visit);
  return out;
}

/** The bounding box of some nodes of `wf` (null when none is there). */
export function boundsOf(wf: Workflow, ids: string[], sizes: Sizes = {}): Rect | null {
  const want = new Set(ids);
  const boxes = wf.nodes.filter((n) => want.has(n.id)).map((n) => boxOf(n, sizes));
  if (!boxes.length) return null;
  const x = Math.min(...boxes.map((b) => b.x));
  const y = Math.min(...boxes.map((b) => b.y));
  return {
    x,
    y,
    w: Math.max(...boxes.map((b) => b.x + b.w)) - x,
    h: Math.max(...boxes.map((b) => b.y + b.h)) - y,
  };
}

export interface View {
  x: number;
  y: number;
  zoom: number;
}

/**
 * The viewport that brings `rect` (flow coordinates) into a `width` x `height` pane with `margin`
 * screen pixels around it, or null when it is already in view. The zoom stays as it is unless the
 * rect does not fit at it; the view moves as little as it must.
 */
export function revealViewport(
  view: View,
  rect: Rect,
  width: number,
  height: number,
  margin = 40,
): View | null {
  const fits = (z: number) => rect.w * z + 2 * margin <= width && rect.h * z + 2 * margin <= height;
  const zoom = fits(view.zoom)
    ? view.zoom
    : Math.max(
        0.2,
        Math.min((width - 2 * margin) / Math.max(rect.w, 1), (height - 2 * margin) / Math.max(rect.h, 1)),
      );
  // Screen position of the rect at that zoom with the current pan.
  const left = rect.x * zoom + view.x;
  const top = rect.y * zoom + view.y;
  const right = left + rect.w * zoom;
  const bottom = top + rect.h * zoom;
  if (
    zoom === view.zoom &&
    left >= margin &&
    top >= margin &&
    right <= width - margin &&
    bottom <= height - margin
  )
    return null;
  let x = view.x;
  let y = view.y;
  if (right > width - margin) x -= right - (width - margin);
  if (left + (x - view.x) < margin) x += margin - (left + (x - view.x));
  if (bottom > height - margin) y -= bottom - (height - margin);
  if (top + (y - view.y) < margin) y += margin - (top + (y - view.y));
  return { x, y, zoom };
}

/** Measured node sizes from React Flow's internal nodes (its store keeps the measurement across
 * re-renders; the `nodes` array handed back by getNodes() may be fresh objects without it). */
export function measuredSizes(
  nodes: { id: string; measured?: { width?: number; height?: number } }[],
): Sizes {
  const out: Sizes = {};
  for (const n of nodes)
    if (n.measured?.width && n.measured?.height)
      out[n.id] = { width: n.measured.width, height: n.measured.height };
  return out;
}
