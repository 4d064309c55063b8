// Edges that would run under a node. An edge is drawn as a curve from its source's right-hand
// handle to its target's left-hand one; when a node lies on that way (a "skip" edge over the middle
// of a chain, as in nightly_report: collect -> publish past render), the edge takes a detour above or
// below the nodes in the way (CanvasEdge draws it). Found with a grid index over the drawn boxes, so
// a 5000-node canvas costs a few ms per derivation instead of edges x nodes box tests.

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** What a routed edge goes around: the union of the boxes in its way (flow coordinates). */
export interface Detour {
  detourLeft: number;
  detourTop: number;
  detourRight: number;
  detourBottom: number;
}

/** Where on a node's side each kind's handle sits (CanvasNode's HANDLE_TOP), as a share of height. */
export const HANDLE_SHARE: Record<string, number> = { data_flow: 0.2, dependency: 0.5, trigger: 0.8 };

/** Room kept between an edge and a node it passes: the curve bends off the straight line a little. */
const CLEARANCE = 12;
const CELL = 400;

export class BoxIndex {
  private cells = new Map<string, string[]>();
  constructor(private readonly boxes: ReadonlyMap<string, Box>) {
    for (const [id, b] of boxes)
      for (let cx = Math.floor(b.x / CELL); cx <= Math.floor((b.x + b.w) / CELL); cx += 1)
        for (let cy = Math.floor(b.y / CELL); cy <= Math.floor((b.y + b.h) / CELL); cy += 1) {
          const key = `${cx},${cy}`;
          const list = this.cells.get(key);
          if (list) list.push(id);
          else this.cells.set(key, [id]);
        }
  }

  /** Ids of the boxes that the segment (x0,y0)-(x1,y1) passes within CLEARANCE of. */
  crossing(x0: number, y0: number, x1: number, y1: number, skip: ReadonlySet<string>): string[] {
    const out = new Set<string>();
    const [lx, hx] = [Math.min(x0, x1) - CLEARANCE, Math.max(x0, x1) + CLEARANCE];
    const [ly, hy] = [Math.min(y0, y1) - CLEARANCE, Math.max(y0, y1) + CLEARANCE];
    for (let cx = Math.floor(lx / CELL); cx <= Math.floor(hx / CELL); cx += 1)
      for (let cy = Math.floor(ly / CELL); cy <= Math.floor(hy / CELL); cy += 1)
        for (const id of this.cells.get(`${cx},${cy}`) ?? []) {
          if (out.has(id) || skip.has(id)) continue;
          const b = this.boxes.get(id)!;
          if (segmentHitsBox(x0, y0, x1, y1, b, CLEARANCE)) out.add(id);
        }
    return [...out];
  }
}

/** Liang-Barsky: does the segment pass through `b` grown by `margin` on every side? */
export function segmentHitsBox(x0: number, y0: number, x1: number, y1: number, b: Box, margin = 0): boolean {
  const dx = x1 - x0;
  const dy = y1 - y0;
  let t0 = 0;
  let t1 = 1;
  const clip = (p: number, q: number): boolean => {
    if (p === 0) return q >= 0;
    const r = q / p;
    if (p < 0) {
      if (r > t1) return false;
      if (r > t0) t0 = r;
    } else {
      if (r < t0) return false;
      if (r < t1) t1 = r;
    }
    return true;
  };
  return (
    clip(-dx, x0 - (b.x - margin)) &&
    clip(dx, b.x + b.w + margin - x0) &&
    clip(-dy, y0 - (b.y - margin)) &&
    clip(dy, b.y + b.h + margin - y0)
  );
}

/**
 * The detour of a forward edge (target right of source) from `source` to `target` boxes, or null
 * when its way is clear. Backward edges loop round anyway and are left as they are.
 */
export function detourFor(
  index: BoxIndex,
  boxes: ReadonlyMap<string, Box>,
  source: string,
  target: string,
  kind: string,
): Detour | null {
  const s = boxes.get(source);
  const t = boxes.get(target);
  if (!s || !t) return null;
  const share = HANDLE_SHARE[kind] ?? 0.5;
  const sx = s.x + s.w;
  const sy = s.y + share * s.h;
  const tx = t.x;
  const ty = t.y + share * t.h;
  if (tx <= sx) return null;
  const hits = index.crossing(sx, sy, tx, ty, new Set([source, target]));
  if (!hits.length) return null;
  const inWay = hits.map((id) => boxes.get(id)!);
  return {
    detourLeft: Math.min(...inWay.map((b) => b.x)),
    detourTop: Math.min(...inWay.map((b) => b.y)),
    detourRight: Math.max(...inWay.map((b) => b.x + b.w)),
    detourBottom: Math.max(...inWay.map((b) => b.y + b.h)),
  };
}

/** Space between a detour's lane and the nodes it passes. */
export const LANE_GAP = 24;
const RADIUS = 10;

/**
 * The drawn path of a detour from (sx, sy) to (tx, ty): out of the source, along a lane above or
 * below the nodes in the way (whichever is nearer the two ends), into the target, with rounded
 * corners; and where its label goes (the middle of the lane, clear of those nodes). Null when the
 * real ends no longer make a forward edge past the detour (a node was dragged meanwhile).
 */
export function detourPath(
  sx: number,
  sy: number,
  tx: number,
  ty: number,
  d: Detour,
): { path: string; labelX: number; labelY: number } | null {
  if (tx <= sx) return null;
  const up = d.detourTop - LANE_GAP;
  const down = d.detourBottom + LANE_GAP;
  const lane = Math.abs(up - sy) + Math.abs(up - ty) <= Math.abs(down - sy) + Math.abs(down - ty) ? up : down;
  const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));
  const x1 = sx + clamp((d.detourLeft - sx) / 2, 8, 40);
  const x2 = tx - clamp((tx - d.detourRight) / 2, 8, 40);
  if (x2 <= x1) return null;
  const points: [number, number][] = [
    [sx, sy],
    [x1, sy],
    [x1, lane],
    [x2, lane],
    [x2, ty],
    [tx, ty],
  ];
  return { path: roundedPolyline(points, RADIUS), labelX: (x1 + x2) / 2, labelY: lane };
}

/** An SVG path through `points` with each corner rounded by up to `radius`. */
export function roundedPolyline(points: [number, number][], radius: number): string {
  let out = `M ${points[0][0]},${points[0][1]}`;
  for (let i = 1; i < points.length - 1; i += 1) {
    const [px, py] = points[i - 1];
    const [x, y] = points[i];
    const [nx, ny] = points[i + 1];
    const lenIn = Math.hypot(x - px, y - py);
    const lenOut = Math.hypot(nx - x, ny - y);
    const r = Math.min(radius, lenIn / 2, lenOut / 2);
    if (r <= 0) {
      out += ` L ${x},${y}`;
      continue;
    }
    const ax = x - ((x - px) / lenIn) * r;
    const ay = y - ((y - py) / lenIn) * r;
    const bx = x + ((nx - x) / lenOut) * r;
    const by = y + ((ny - y) / lenOut) * r;
    out += ` L ${ax},${ay} Q ${x},${y} ${bx},${by}`;
  }
  const [lx, ly] = points[points.length - 1];
  return `${out} L ${lx},${ly}`;
}
