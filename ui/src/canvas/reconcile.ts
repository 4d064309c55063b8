// Keep React Flow's node objects stable across re-derivations from the spec: an unchanged node is
// the same object (React Flow skips it), a changed one keeps its measured size (no re-measure).
import type { Edge, Node } from "@xyflow/react";

function shallowEqual(
  a: Record<string, unknown> | undefined,
  b: Record<string, unknown> | undefined,
): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => a[k] === b[k]);
}

function sameStyle(a: Node["style"], b: Node["style"]): boolean {
  return shallowEqual(a as Record<string, unknown> | undefined, b as Record<string, unknown> | undefined);
}

export function reconcileNodes(prev: Node[], next: Node[]): Node[] {
  const byId = new Map(prev.map((n) => [n.id, n]));
  return next.map((n) => {
    const old = byId.get(n.id);
    if (!old) return n;
    const data = shallowEqual(old.data, n.data) ? old.data : n.data;
    if (
      data === old.data &&
      old.position.x === n.position.x &&
      old.position.y === n.position.y &&
      old.parentId === n.parentId &&
      Boolean(old.selected) === Boolean(n.selected) &&
      old.type === n.type &&
      old.zIndex === n.zIndex &&
      sameStyle(old.style, n.style)
    ) {
      return old;
    }
    // A new explicit size must be measured again; otherwise keep what React Flow measured.
    const measured = sameStyle(old.style, n.style) ? old.measured : undefined;
    return { ...n, data, measured };
  });
}

export function reconcileEdges(prev: Edge[], next: Edge[]): Edge[] {
  const byId = new Map(prev.map((e) => [e.id, e]));
  return next.map((e) => {
    const old = byId.get(e.id);
    if (!old) return e;
    const data = shallowEqual(old.data, e.data) ? old.data : e.data;
    if (
      data === old.data &&
      old.source === e.source &&
      old.target === e.target &&
      old.className === e.className &&
      Boolean(old.selected) === Boolean(e.selected) &&
      Boolean(old.animated) === Boolean(e.animated)
    ) {
      return old;
    }
    return { ...e, data };
  });
}
