// The far layer: a big workflow seen from far away, drawn on one <canvas> instead of thousands of
// React Flow node and edge components. Below DETAIL_ZOOM a node's text is unreadable anyway, and
// mounting 5000 nodes (each with its handles and run state) cost more than bare React Flow's plain
// boxes: seconds to first render and hundreds of ms per pan frame. Here every node is a rectangle in
// its run state's colour, every group a frame and every edge a straight line, built once per change
// of the elements into one Path2D per colour and repainted under React Flow's viewport transform.
// Zooming in past DETAIL_ZOOM mounts the real nodes (culled to the view) with all their detail.
import type { Edge, Node } from "@xyflow/react";
import { stateClass } from "../state/status";
import { NODE_H, NODE_W } from "./toFlow";

/** Zoomed out, a canvas with more elements to mount than this (nodes and group frames as drawn:
 * a collapsed group's members count as its one box) is drawn on the far layer. Smaller ones keep
 * their React Flow nodes at every zoom: 500 nodes pan at one frame per vsync with them, while at
 * 1000 the first render was 1.1-1.5x bare React Flow's and pan/zoom p95 33-50 ms on this machine. */
export const FAR_LAYER_MIN_ELEMENTS = 800;

export function farLayerOn(elementCount: number, far: boolean): boolean {
  return far && elementCount > FAR_LAYER_MIN_ELEMENTS;
}

export interface FarBox {
  id: string;
  x: number;
  y: number;
  w: number;
  h: number;
  /** The run state's class (idle, success, failed, running, ...): the colour it is drawn in. */
  state: string;
  group: boolean;
  selected: boolean;
}

export interface FarScene {
  /** Nodes (and collapsed groups) in drawing order; groups' frames first, under their members. */
  boxes: FarBox[];
  edges: { x1: number; y1: number; x2: number; y2: number }[];
  /** How many drawn nodes (not group frames) are in each state. */
  states: Record<string, number>;
}

function sizeOf(n: Node): { w: number; h: number } {
  const style = n.style as { width?: unknown; height?: unknown } | undefined;
  const w = typeof style?.width === "number" ? style.width : (n.measured?.width ?? NODE_W);
  const h = typeof style?.height === "number" ? style.height : (n.measured?.height ?? NODE_H);
  return { w, h };
}

/** The scene of toFlow's elements: absolute boxes (React Flow positions members relative to their
 * group, and parents come before children) with each one's run state, and each edge as a line from
 * the right side of its source to the left side of its target. */
export function farScene(nodes: readonly Node[], edges: readonly Edge[]): FarScene {
  const abs = new Map<string, FarBox>();
  const boxes: FarBox[] = [];
  const states: Record<string, number> = {};
  for (const n of nodes) {
    const parent = n.parentId ? abs.get(n.parentId) : undefined;
    const { w, h } = sizeOf(n);
    const group = n.type === "cvgroup";
    const data = n.data as { run?: { state?: string | null }; state?: string | null };
    const state = stateClass(group ? data.state : data.run?.state) || "idle";
    const box: FarBox = {
      id: n.id,
      x: n.position.x + (parent?.x ?? 0),
      y: n.position.y + (parent?.y ?? 0),
      w,
      h,
      state,
      group,
      selected: Boolean(n.selected),
    };
    abs.set(n.id, box);
    boxes.push(box);
    if (!group) states[state] = (states[state] ?? 0) + 1;
  }
  const lines: FarScene["edges"] = [];
  for (const e of edges) {
    const s = abs.get(e.source);
    const t = abs.get(e.target);
    if (!s || !t) continue;
    lines.push({ x1: s.x + s.w, y1: s.y + s.h / 2, x2: t.x, y2: t.y + t.h / 2 });
  }
  return { boxes, edges: lines, states };
}

/** The node under a point in flow coordinates: the last drawn (topmost) node box containing it, a
 * group's frame only where no member is; null on empty space. */
export function hitTest(scene: FarScene, x: number, y: number): FarBox | null {
  let frame: FarBox | null = null;
  for (let i = scene.boxes.length - 1; i >= 0; i--) {
    const b = scene.boxes[i];
    if (x < b.x || y < b.y || x > b.x + b.w || y > b.y + b.h) continue;
    if (!b.group) return b;
    frame ??= b;
  }
  return frame;
}

/** The paths to fill per colour key (a node's state, or "group"), the edges' path and the selected
 * boxes' outlines: built once per scene, in flow coordinates. */
export interface FarPaths {
  fills: Map<string, Path2D>;
  frames: Path2D;
  edges: Path2D;
  selected: Path2D;
}

export function farPaths(scene: FarScene, make: () => Path2D = () => new Path2D()): FarPaths {
  const fills = new Map<string, Path2D>();
  const frames = make();
  const edges = make();
  const selected = make();
  for (const b of scene.boxes) {
    if (b.group) frames.rect(b.x, b.y, b.w, b.h);
    const key = b.group ? `group-${b.state}` : b.state;
    let p = fills.get(key);
    if (!p) fills.set(key, (p = make()));
    p.rect(b.x, b.y, b.w, b.h);
    if (b.selected) selected.rect(b.x, b.y, b.w, b.h);
  }
  for (const e of scene.edges) {
    edges.moveTo(e.x1, e.y1);
    edges.lineTo(e.x2, e.y2);
  }
  return { fills, frames, edges, selected };
}

export type FarColors = Record<string, string>;

/** The run-state colours the DOM nodes use (styles.css), read from the page's CSS variables. */
export function readColors(el: Element): FarColors {
  const css = getComputedStyle(el);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    idle: v("--cv-idle", "#9aa3af"),
    queued: v("--cv-queued", "#78716c"),
    running: v("--cv-running", "#2563eb"),
    success: v("--cv-success", "#16a34a"),
    failed: v("--cv-failed", "#dc2626"),
    skipped: v("--cv-skipped", "#db2777"),
    up_for_retry: v("--cv-retry", "#ca8a04"),
    edge: v("--cv-dep", "#6b7280"),
    frame: v("--cv-border", "#d9dde3"),
    accent: v("--cv-accent", "#2563eb"),
  };
}

/** Paints the scene under React Flow's transform [x, y, zoom] on a canvas of css size w x h. */
export function paintFar(
  ctx: CanvasRenderingContext2D,
  paths: FarPaths,
  colors: FarColors,
  transform: readonly [number, number, number],
  w: number,
  h: number,
  dpr: number,
): void {
  const [tx, ty, k] = transform;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, w * dpr, h * dpr);
  ctx.setTransform(k * dpr, 0, 0, k * dpr, tx * dpr, ty * dpr);
  // Group frames: a faint wash in the group's aggregate state under its members, and an outline.
  for (const [key, path] of paths.fills) {
    if (!key.startsWith("group-")) continue;
    ctx.globalAlpha = 0.12;
    ctx.fillStyle = colors[key.slice(6)] ?? colors.idle;
    ctx.fill(path);
  }
  ctx.globalAlpha = 1;
  ctx.lineWidth = 1 / k;
  ctx.strokeStyle = colors.frame;
  ctx.stroke(paths.frames);
  ctx.strokeStyle = colors.edge;
  ctx.globalAlpha = 0.6;
  ctx.stroke(paths.edges);
  ctx.globalAlpha = 1;
  for (const [key, path] of paths.fills) {
    if (key.startsWith("group-")) continue;
    ctx.fillStyle = colors[key] ?? colors.idle;
    ctx.fill(path);
  }
  ctx.lineWidth = 3 / k;
  ctx.strokeStyle = colors.accent;
  ctx.stroke(paths.selected);
}
