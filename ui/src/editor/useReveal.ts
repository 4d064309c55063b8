// Bring nodes into view: after the co-pilot, a template or the palette adds nodes, the canvas pans
// (and zooms out only if it must) so they are on screen, never left behind the dock or off the edge.
import { useReactFlow, type ReactFlowInstance } from "@xyflow/react";
import { useCallback, useEffect, useState } from "react";
import { boundsOf, measuredSizes, revealViewport, type Sizes } from "../canvas/placement";
import type { Workflow } from "../spec/types";

/** The measured size of each node of `wf` React Flow has drawn (the rest: the default size). */
export function nodeSizes(rf: ReactFlowInstance, wf: Workflow | null): Sizes {
  return measuredSizes((wf?.nodes ?? []).flatMap((n) => rf.getInternalNode(n.id) ?? []));
}

/** `reveal(ids)` asks for nodes of `wf` to be shown; it happens once `wf` has them. */
export function useReveal(wf: Workflow | null): (ids: string[]) => void {
  const rf = useReactFlow();
  const [wanted, setWanted] = useState<string[] | null>(null);
  useEffect(() => {
    if (!wanted || !wf) return;
    const rect = boundsOf(wf, wanted, nodeSizes(rf, wf));
    if (!rect) return; // not committed yet: wait for the next `wf`
    setWanted(null);
    const pane = document.querySelector('[data-testid="canvas"]')?.getBoundingClientRect();
    if (!pane?.width || !pane.height) return;
    const next = revealViewport(rf.getViewport(), rect, pane.width, pane.height);
    if (next) void rf.setViewport(next, { duration: 250 });
  }, [wanted, wf, rf]);
  return useCallback((ids: string[]) => setWanted(ids.length ? ids : null), []);
}
