// Editing the draft on the canvas: delete, group, copy, paste, duplicate, auto-layout and adding a
// node from the palette. Each is a no-op while the draft is read-only, and selects what it made.
import { useReactFlow } from "@xyflow/react";
import { useCallback, useRef } from "react";
import { autoLayout } from "../canvas/layout";
import { makeRoomForGroup } from "../canvas/groupRoom";
import { boxOf, freeSlot } from "../canvas/placement";
import { NODE_H, NODE_W } from "../canvas/toFlow";
import type { Selection } from "../panels/PropertyPanel";
import type { NodeType, Workflow } from "../spec/types";
import * as ops from "../state/ops";
import { placePasted, writeClipboard } from "./clipboard";
import { nodeSizes } from "./useReveal";

export const EMPTY_SEL: Selection = { nodes: [], edges: [], groups: [] };

export interface CanvasEditingInput {
  wf: Workflow | null;
  readOnly: boolean;
  selection: Selection;
  setSelection: (selection: Selection) => void;
  change: (next: Workflow) => void;
  flash: (text: string) => void;
  /** Fit the whole workflow into view (after an auto-layout). */
  fit: () => void;
  /** A node was added from the palette: show its properties. */
  showProperties: () => void;
  /** Bring nodes into view (a new node placed below a crowded spot may be off screen). */
  reveal?: (ids: string[]) => void;
}

export function useCanvasEditing({
  wf,
  readOnly,
  selection,
  setSelection,
  change,
  flash,
  fit,
  showProperties,
  reveal,
}: CanvasEditingInput) {
  const rf = useReactFlow();
  const removeSelection = useCallback(() => {
    if (!wf || readOnly) return;
    const { nodes, edges, groups } = selection;
    if (nodes.length + edges.length + groups.length === 0) return;
    change(ops.removeElements(wf, { nodes, edges, groups }));
    setSelection(EMPTY_SEL);
  }, [wf, readOnly, selection, change, setSelection]);

  const groupSelected = useCallback(() => {
    if (!wf || readOnly) return;
    const r = ops.groupSelection(wf, selection.nodes, selection.groups, `Group ${wf.groups.length + 1}`);
    if (!r) return;
    // The new frame (padding and header around the members) must not cover a neighbour.
    change(makeRoomForGroup(r.wf, r.id, nodeSizes(rf, wf)));
    setSelection({ nodes: [], edges: [], groups: [r.id] });
  }, [wf, readOnly, selection, change, setSelection, rf]);

  const copy = useCallback(() => {
    if (!wf || selection.nodes.length === 0) return;
    writeClipboard(ops.copySelection(wf, selection.nodes));
    flash(`Copied ${selection.nodes.length} node(s)`);
  }, [wf, selection, flash]);

  // Pasted nodes land where the pointer is over the canvas, or in the middle of the view.
  const pointer = useRef<{ x: number; y: number } | null>(null);
  const pasteTarget = useCallback((): { x: number; y: number } | undefined => {
    const pane = document.querySelector(".react-flow__pane")?.getBoundingClientRect();
    if (!pane) return undefined;
    const p = pointer.current;
    const inside = p && p.x >= pane.left && p.x <= pane.right && p.y >= pane.top && p.y <= pane.bottom;
    return rf.screenToFlowPosition(
      inside ? p : { x: pane.left + pane.width / 2, y: pane.top + pane.height / 2 },
    );
  }, [rf]);

  const pasteFrom = useCallback(
    (payload: ops.ClipboardPayload | null, at?: { x: number; y: number }) => {
      if (!wf || readOnly || !payload) return;
      const r = ops.paste(wf, payload, at ?? pasteTarget());
      change(placePasted(r.wf, r.ids, nodeSizes(rf, wf)));
      setSelection({ nodes: r.ids, edges: [], groups: [] });
    },
    [wf, readOnly, change, pasteTarget, setSelection, rf],
  );

  const duplicate = useCallback(
    (ids: string[]) => {
      if (!wf || readOnly || !ids.length) return;
      const r = ops.duplicateNodes(wf, ids);
      change(placePasted(r.wf, r.ids, nodeSizes(rf, wf)));
      setSelection({ nodes: r.ids, edges: [], groups: [] });
    },
    [wf, readOnly, change, setSelection, rf],
  );

  const layout = useCallback(async () => {
    if (!wf || readOnly) return;
    const sizes = Object.fromEntries(
      rf
        .getNodes()
        .filter((n) => n.measured?.width)
        .map((n) => [n.id, { width: n.measured!.width!, height: n.measured!.height! }]),
    );
    try {
      const positions = await autoLayout(wf, sizes);
      change(ops.moveNodes(wf, positions));
      fit();
    } catch (e) {
      flash(`Auto-layout failed: ${(e as Error).message}`);
    }
  }, [wf, readOnly, rf, change, fit, flash]);

  const addFromPalette = useCallback(
    (type: NodeType, extra: Record<string, unknown>, position?: { x: number; y: number }) => {
      if (!wf || readOnly) return;
      let pos = position;
      if (!pos) {
        const el = document.querySelector('[data-testid="canvas"]')?.getBoundingClientRect();
        pos = rf.screenToFlowPosition({
          x: (el?.left ?? 0) + (el?.width ?? 600) / 2,
          y: (el?.top ?? 0) + (el?.height ?? 400) / 2,
        });
        // The first free slot from the middle of the view: never on top of another node.
        const sizes = nodeSizes(rf, wf);
        const centre = { x: pos.x - NODE_W / 2, y: pos.y - NODE_H / 2 };
        pos = freeSlot(
          centre,
          { width: NODE_W, height: NODE_H },
          wf.nodes.map((n) => boxOf(n, sizes)),
        );
      }
      const r = ops.addNode(wf, type, pos, extra);
      change(r.wf);
      setSelection({ nodes: [r.id], edges: [], groups: [] });
      showProperties();
      if (!position) reveal?.([r.id]);
    },
    [wf, readOnly, rf, change, setSelection, showProperties, reveal],
  );

  return { removeSelection, groupSelected, copy, pointer, pasteFrom, duplicate, layout, addFromPalette };
}
