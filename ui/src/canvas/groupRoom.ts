// A new group's frame (its members' bounds plus padding and a header) can reach over a neighbour
// that sat close to the grouped nodes. The neighbours it covers move out of the way, each by the
// shortest push (right, left, down or up), so grouping never leaves a node or a frame underneath.
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

/**
 * `wf` with the neighbours of group `groupId` that its frame covers moved clear of it. Neighbours
 * are the items beside the group at its own level: nodes directly in its parent group (or at the
 * top) and sibling groups, which move with all their members.
 */
export function makeRoomForGroup(wf: Workflow, groupId: string, sizes: Sizes = {}): Workflow {
  const group = wf.groups.find((g) => g.id === groupId);
  const frame = group && frameOf(wf, groupId, sizes);
  if (!group || !frame) return wf;
  const parent = group.parent ?? null;
  const moves = new Map<string, { dx: number; dy: number }>();
  for (const n of wf.nodes) {
    if ((n.group ?? null) !== parent) continue;
    const box = boxOf(n, sizes);
    if (overlaps(box, frame)) moves.set(n.id, push(box, frame));
  }
  for (const g of wf.groups) {
    if (g.id === groupId || (g.parent ?? null) !== parent) continue;
    const other = frameOf(wf, g.id, sizes);
    if (!other || !overlaps(other, frame)) continue;
    const d = push(other, frame);
    for (const n of wf.nodes) if (groupAncestors(wf, n.group).includes(g.id)) moves.set(n.id, d);
  }
  if (!moves.size) return wf;
  return {
    ...wf,
    nodes: wf.nodes.map((n) => {
      const d = moves.get(n.id);
      if (!d) return n;
      const p = positionOf(n);
      return { ...n, ui: { ...n.ui, position: { x: p.x + d.dx, y: p.y + d.dy } } };
    }),
  };
}
