// Copy/paste across workflows (and browser tabs): the payload goes to localStorage, and to the
// system clipboard as JSON when the browser allows it, so it can be pasted into another canvas.
// What is pasted moves, as one block, clear of what is already there.
import { frameOf } from "../canvas/groupRoom";
import { boundsOf, boxOf, freeSlot, type Rect, type Sizes } from "../canvas/placement";
import { positionOf, type Workflow } from "../spec/types";
import { groupAncestors, isClipboardPayload, moveNodes, type ClipboardPayload } from "../state/ops";

const KEY = "airflow-canvas:clipboard";

export function writeClipboard(payload: ClipboardPayload): void {
  const text = JSON.stringify(payload);
  try {
    localStorage.setItem(KEY, text);
  } catch {
    /* storage full or disabled: the system clipboard may still work */
  }
  navigator.clipboard?.writeText(text).catch(() => undefined);
}

export function readClipboard(): ClipboardPayload | null {
  try {
    const value = JSON.parse(localStorage.getItem(KEY) ?? "null");
    return isClipboardPayload(value) ? value : null;
  } catch {
    return null;
  }
}

/** Parse text pasted from the system clipboard (another browser profile, a chat message...). */
export function parseClipboardText(text: string): ClipboardPayload | null {
  try {
    const value = JSON.parse(text);
    return isClipboardPayload(value) ? value : null;
  } catch {
    return null;
  }
}

/**
 * `wf` with the just-pasted nodes `ids` moved together, their layout kept, to the first free spot
 * from where they landed (placement's freeSlot: there, below, above, then a column on), so a paste
 * or a duplicate never lands on other nodes or on a group frame they do not belong to.
 */
export function placePasted(wf: Workflow, ids: string[], sizes: Sizes = {}): Workflow {
  const block = boundsOf(wf, ids, sizes);
  if (!block) return wf;
  const pasted = new Set(ids);
  const own = new Set(wf.nodes.filter((n) => pasted.has(n.id)).flatMap((n) => groupAncestors(wf, n.group)));
  const taken: Rect[] = wf.nodes.filter((n) => !pasted.has(n.id)).map((n) => boxOf(n, sizes));
  for (const g of wf.groups) {
    const frame = own.has(g.id) ? null : frameOf(wf, g.id, sizes);
    if (frame) taken.push(frame);
  }
  const at = freeSlot({ x: block.x, y: block.y }, { width: block.w, height: block.h }, taken);
  const dx = at.x - Math.round(block.x);
  const dy = at.y - Math.round(block.y);
  if (!dx && !dy) return wf;
  const positions: Record<string, { x: number; y: number }> = {};
  for (const n of wf.nodes) {
    if (!pasted.has(n.id)) continue;
    const p = positionOf(n);
    positions[n.id] = { x: p.x + dx, y: p.y + dy };
  }
  return moveNodes(wf, positions);
}
