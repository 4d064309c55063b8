// Debug marks drawn over the canvas in React Flow's viewport portal (flow coordinates, so they pan
// and zoom with the nodes): a breakpoint dot before each chosen node, a frame around the node the
// session is paused before (or running), and a pin on nodes with pinned data. The dot sits on the
// node's top-left corner, clear of the handles and the edges' arrowheads on its sides. The canvas's own
// nodes are untouched, so debugging costs the canvas nothing when it is off.
import { useStore, ViewportPortal, type ReactFlowState } from "@xyflow/react";
import { useCallback } from "react";
import { ensureDebugStyles } from "./styles";

interface Box {
  id: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

export function DebugMarkers({
  breakpoints,
  pinned,
  current,
  running,
}: {
  breakpoints: ReadonlySet<string>;
  pinned: readonly string[];
  current: string | null;
  running: string | null;
}) {
  ensureDebugStyles();
  const ids = [
    ...new Set([...breakpoints, ...pinned, ...(current ? [current] : []), ...(running ? [running] : [])]),
  ];
  const key = ids.join("\u0000");
  // One string per render of the store: the marks re-render only when a marked node moves or resizes.
  const select = useCallback(
    (s: ReactFlowState) =>
      (key ? key.split("\u0000") : [])
        .map((id) => {
          const n = s.nodeLookup.get(id);
          if (!n || n.hidden) return "";
          const p = n.internals.positionAbsolute;
          return `${id}\u0001${p.x}\u0001${p.y}\u0001${n.measured.width ?? 0}\u0001${n.measured.height ?? 0}`;
        })
        .join("\u0000"),
    [key],
  );
  const packed = useStore(select);
  const boxes: Box[] = packed
    .split("\u0000")
    .filter(Boolean)
    .map((row) => {
      const [id, x, y, w, h] = row.split("\u0001");
      return { id, x: Number(x), y: Number(y), w: Number(w), h: Number(h) };
    });
  return (
    <ViewportPortal>
      {boxes.map((b) => (
        <div key={b.id}>
          {(b.id === current || b.id === running) && (
            <div
              className={`cv-dbg-frame ${b.id === running ? "running" : "paused"}`}
              data-testid={`dbg-current-${b.id}`}
              style={{
                transform: `translate(${b.x - 5}px, ${b.y - 5}px)`,
                width: b.w + 10,
                height: b.h + 10,
              }}
            />
          )}
          {breakpoints.has(b.id) && (
            <div
              className="cv-dbg-bp"
              data-testid={`bp-${b.id}`}
              title="Breakpoint: the debugger pauses before this node"
              style={{ transform: `translate(${b.x - 8}px, ${b.y - 8}px)` }}
            />
          )}
          {pinned.includes(b.id) && (
            <div
              className="cv-dbg-pin"
              data-testid={`pin-${b.id}`}
              title="Pinned output: not re-run while debugging"
              style={{ transform: `translate(${b.x + b.w - 10}px, ${b.y - 10}px)` }}
            >
              pin
            </div>
          )}
        </div>
      ))}
    </ViewportPortal>
  );
}
