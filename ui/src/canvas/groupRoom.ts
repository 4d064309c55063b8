// A frame or a box that grew (a new group's frame: its members' bounds plus padding and a header; a
// resized node) can reach over a neighbour that sat close. The neighbours it covers move out of the
// way, each by the shortest push (right, left, down or up), and what they land on is pushed on the
// same way, so grouping or resizing never leaves a node or a frame underneath.
import { positionOf, type Workflow } from "../spec/types";
import { groupAncestors } from "../state/ops";
import { boxOf, overlaps, type Rect, type Sizes } from "./placement";
import { GROUP_HEADER, GROUP_PAD } from "./toFlow";

/** Space left between the new frame and what it pushed away. */
export const ROOM = 24;

function union(boxes: Rect[]): Rect | null {
  if (!boxes.length) return null;
  const x = Math.min(...boxes.map((b) => b.x));
  const y = Math.min(...boxes.map((b) => b.y));
  const r = Math.max(...boxes.map((b) => b.x + b.w));
  const bottom = Math.max(...boxes.map((b) => b.y + b.h));
  return { x, y, w: r - x, h: bottom - y };
}

/** The frame toFlow draws around the nodes inside `groupId` (nested groups included). */
export function frameOf(wf: Workflow, groupId: string, sizes: Sizes = {}): Rect | null {
  const inner = union(
    wf.nodes.filter((n) => groupAncestors(wf, n.group).includes(groupId)).map((n) => boxOf(n, sizes)),
  );
  if (!inner) return null;
  return {
    x: inner.x - GROUP_PAD,
    y: inner.y - GROUP_PAD - GROUP_HEADER,
    w: inner.w + 2 * GROUP_PAD,
    h: inner.h + 2 * GROUP_PAD + GROUP_HEADER,
  };
}

/** The shortest move that takes `box` clear of `frame` (ROOM apart). */
function push(box: Rect, frame: Rect): { dx: number; dy: number } {
  const options = [
    { dx: frame.x + frame.w + ROOM - box.x, dy: 0 },
    { dx: frame.x - ROOM - (box.x + box.w), dy: 0 },
    { dx: 0, dy: frame.y + frame.h + ROOM - box.y },
    { dx: 0, dy: frame.y - ROOM - (box.y + box.h) },
  ];
  return options.reduce((a, b) => (Math.abs(a.dx + a.dy) <= Math.abs(b.dx + b.dy) ? a : b));
}

/** The move along `dir` (one axis, one sign) that takes `box` clear of `by`. */
function pushAlong(box: Rect, by: Rect, dir: { dx: number; dy: number }): { dx: number; dy: number } {
  if (dir.dx > 0) return { dx: by.x + by.w + ROOM - box.x, dy: 0 };
  if (dir.dx < 0) return { dx: by.x - ROOM - (box.x + box.w), dy: 0 };
  if (dir.dy > 0) return { dx: 0, dy: by.y + by.h + ROOM - box.y };
  return { dx: 0, dy: by.y - ROOM - (box.y + box.h) };
}

/** The push clear of `by` along the axis on which `box` lies beside it (centre to centre, relative
 * to their sizes): a node widened over its right-hand neighbour pushes it right, not down. */
function pushAway(box: Rect, by: Rect): { dx: number; dy: number } {
  const rx = (box.x + box.w / 2 - (by.x + by.w / 2)) / (box.w + by.w);
  const ry = (box.y + box.h / 2 - (by.y + by.h / 2)) / (box.h + by.h);
  const dir =
    Math.abs(rx) >= Math.abs(ry) ? { dx: rx >= 0 ? 1 : -1, dy: 0 } : { dx: 0, dy: ry >= 0 ? 1 : -1 };
  return pushAlong(box, by, dir);
}

/** Something beside the grown item at its level: one node, or a sibling group with its members. */
interface Unit {
  members: string[];
  box: Rect;
}

function unitsAt(wf: Workflow, parent: string | null, skip: { node?: string; group?: string }, sizes: Sizes) {
  const units: Unit[] = [];
  for (const n of wf.nodes)
    if ((n.group ?? null) === parent && n.id !== skip.node)
      units.push({ members: [n.id], box: boxOf(n, sizes) });
  for (const g of wf.groups) {
    if (g.id === skip.group || (g.parent ?? null) !== parent) continue;
    const box = frameOf(wf, g.id, sizes);
    if (!box) continue;
    const members = wf.nodes.filter((n) => groupAncestors(wf, n.group).includes(g.id)).map((n) => n.id);
    units.push({ members, box });
  }
  return units;
}

/**
 * Moves for the units that `fixed` covers: each by the `first` push clear of it, and whatever a
 * pushed unit then lands on is pushed on the same way (a snow plough), so nothing ends underneath.
 * The number of pushes is bounded, which bounds the work on a crowded canvas.
 */
function clearOf(
  fixed: Rect,
  units: Unit[],
  first: (box: Rect, by: Rect) => { dx: number; dy: number } = push,
): Map<Unit, { dx: number; dy: number }> {
  const moves = new Map<Unit, { dx: number; dy: number }>();
  const at = (u: Unit): Rect => {
    const d = moves.get(u);
    return d ? { ...u.box, x: u.box.x + d.dx, y: u.box.y + d.dy } : u.box;
  };
  type Pusher = { unit: Unit | null; dir: { dx: number; dy: number } | null };
  const queue: Pusher[] = [{ unit: null, dir: null }];
  for (let budget = 8 * units.length + 8; queue.length && budget > 0;) {
    const { unit: pusher, dir } = queue.shift()!;
    // Where the pusher is now (it may have been pushed on since it was queued).
    const by = pusher ? at(pusher) : fixed;
    for (const u of units) {
      if (u === pusher) continue;
      const box = at(u);
      if (!overlaps(box, by)) continue;
      const d = dir ? pushAlong(box, by, dir) : first(box, by);
      const sum = moves.get(u) ?? { dx: 0, dy: 0 };
      moves.set(u, { dx: sum.dx + d.dx, dy: sum.dy + d.dy });
      queue.push({ unit: u, dir: d });
      budget -= 1;
    }
  }
  return moves;
}

function applyMoves(wf: Workflow, moves: Map<Unit, { dx: number; dy: number }>): Workflow {
  if (!moves.size) return wf;
  const byNode = new Map<string, { dx: number; dy: number }>();
  for (const [u, d] of moves) for (const id of u.members) byNode.set(id, d);
  return {
    ...wf,
    nodes: wf.nodes.map((n) => {
      const d = byNode.get(n.id);
      if (!d) return n;
      const p = positionOf(n);
      return { ...n, ui: { ...n.ui, position: { x: Math.round(p.x + d.dx), y: Math.round(p.y + d.dy) } } };
    }),
  };
}

/**
 * `wf` with the neighbours of group `groupId` that its frame covers moved clear of it. Neighbours
 * are the items beside the group at its own level: nodes directly in its parent group (or at the
 * top) and sibling groups, which move with all their members.
 */
export function makeRoomForGroup(wf: Workflow, groupId: string, sizes: Sizes = {}): Workflow {
  const group = wf.groups.find((g) => g.id === groupId);
  const frame = group && frameOf(wf, groupId, sizes);
  if (!group || !frame) return wf;
  return applyMoves(wf, clearOf(frame, unitsAt(wf, group.parent ?? null, { group: groupId }, sizes)));
}

/**
 * `wf` after node `nodeId` grew (a resize): the neighbours its new box covers are pushed clear, away
 * from it on the side they sit,
 * then each group holding it, whose frame grew with it, makes room at its own level in turn.
 * `sizes` are measured sizes; the node's own size is read from the spec (the new one).
 */
export function makeRoomForNode(wf: Workflow, nodeId: string, sizes: Sizes = {}): Workflow {
  const node = wf.nodes.find((n) => n.id === nodeId);
  if (!node) return wf;
  const own: Sizes = { ...sizes };
  delete own[nodeId];
  const units = unitsAt(wf, node.group ?? null, { node: nodeId }, own);
  let out = applyMoves(wf, clearOf(boxOf(node, own), units, pushAway));
  for (const g of groupAncestors(wf, node.group)) out = makeRoomForGroup(out, g, own);
  return out;
}
