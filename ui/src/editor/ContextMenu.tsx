// The canvas's right-click menu: what can be done to a node, an edge, a group or the empty pane.
import { useEffect } from "react";
import type { MenuTarget } from "../canvas/FlowCanvas";
import { requestChain } from "../chains/store";

export interface MenuActions {
  runNode: (id: string) => void;
  output: (id: string) => void;
  duplicate: (id: string) => void;
  group: () => void;
  remove: () => void;
  removeEdge: (id: string) => void;
  toggleGroup: (id: string) => void;
  ungroup: (id: string) => void;
  ask: (id: string) => void;
  paste: () => void;
  layout: () => void;
  fit: () => void;
  /** The debugger (debug/): a breakpoint before the node, run the session up to it. */
  toggleBreakpoint: (id: string) => void;
  runToHere: (id: string) => void;
  /** A real run: Airflow clears the node and its downstream (re-run from this node). */
  rerunFrom: (id: string) => void;
}

export function ContextMenu({
  menu,
  readOnly,
  hasRun,
  debugging = false,
  onClose,
  actions,
}: {
  menu: MenuTarget;
  readOnly: boolean;
  hasRun: boolean;
  debugging?: boolean;
  onClose: () => void;
  actions: MenuActions;
}) {
  useEffect(() => {
    const close = () => onClose();
    const t = setTimeout(() => window.addEventListener("click", close), 0);
    return () => {
      clearTimeout(t);
      window.removeEventListener("click", close);
    };
  }, [onClose]);
  const item = (label: string, testId: string, fn: () => void, show = true) =>
    show ? (
      <button
        key={testId}
        data-testid={`menu-${testId}`}
        onClick={() => {
          fn();
          onClose();
        }}
      >
        {label}
      </button>
    ) : null;
  const id = menu.id;
  return (
    <div
      className="cv-menu"
      style={{ left: menu.x, top: menu.y }}
      data-testid="context-menu"
      onContextMenu={(e) => e.preventDefault()}
    >
      {menu.kind === "node" && [
        item("Run this node (mock data)", "run-node", () => actions.runNode(id), !readOnly),
        item("Show output", "output", () => actions.output(id), hasRun),
        item("Toggle breakpoint", "breakpoint", () => actions.toggleBreakpoint(id), debugging),
        item("Run to here", "run-to-here", () => actions.runToHere(id), debugging),
        item(
          "Re-run from this node (Airflow)",
          "rerun-from",
          () => actions.rerunFrom(id),
          hasRun && !debugging,
        ),
        item("Duplicate", "duplicate", () => actions.duplicate(id), !readOnly),
        item("Group selection", "group", actions.group, !readOnly),
        item(
          "Save selection as chain…",
          "save-chain",
          () => requestChain({ kind: "save-chain", from: "selection" }),
          !readOnly,
        ),
        item("Delete", "delete", actions.remove, !readOnly),
        item("Ask the co-pilot", "ask-copilot", () => actions.ask(id)),
      ]}
      {menu.kind === "edge" && [
        item("Delete connection", "delete-edge", () => actions.removeEdge(id), !readOnly),
      ]}
      {menu.kind === "group" && [
        item("Collapse / expand", "toggle-group", () => actions.toggleGroup(id)),
        item("Ungroup", "ungroup", () => actions.ungroup(id), !readOnly),
        item(
          "Save as chain…",
          "save-chain",
          () => requestChain({ kind: "save-chain", from: { groupId: id } }),
          !readOnly,
        ),
        item("Ask the co-pilot", "ask-copilot", () => actions.ask(id)),
      ]}
      {menu.kind === "pane" && [
        item("Paste", "paste", actions.paste, !readOnly),
        item("Insert chain…", "insert-chain", () => requestChain({ kind: "insert-chain" }), !readOnly),
        item("Save workflow as template…", "save-template", () => requestChain({ kind: "save-template" })),
        item("Auto-layout", "layout", actions.layout, !readOnly),
        item("Fit view", "fit", actions.fit),
      ]}
    </div>
  );
}
