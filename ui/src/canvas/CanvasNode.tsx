// A workflow node on the canvas: icon + name + subtitle, colored by run state, outlined by
// validation problems and diff status. Memoized: React Flow re-renders only nodes whose data changed.
import {
  Handle,
  NodeResizer,
  Position,
  useStore,
  useStoreApi,
  useUpdateNodeInternals,
  type NodeProps,
  type Node,
} from "@xyflow/react";
import { memo, useEffect, useRef, useState, type CSSProperties } from "react";
import type { EdgeKind, SpecNode } from "../spec/types";
import { EDGE_KINDS, nodeLabel } from "../spec/types";
import { formatDuration, stateClass } from "../state/status";
import { RunStrip } from "../runs/RunStrip";
import { formatCost, formatTokens, type NodeUsage } from "../runs/runData";
import { useCanvasActions } from "./actions";
import { NodeIcon, TYPE_LABEL } from "./icons";
import { drawableColor } from "./nodeLook";
import type { CanvasNodeData } from "./toFlow";

// Spread over the side (18 px apart on a 60 px node) so the three kinds' handles are told apart.
const HANDLE_TOP: Record<EdgeKind, string> = { data_flow: "20%", dependency: "50%", trigger: "80%" };
const KIND_TITLE: Record<EdgeKind, string> = {
  data_flow: "data flow (output feeds inputs)",
  dependency: "dependency (order only)",
  trigger: "trigger (runs whatever the outcome)",
};

export function subtitle(node: SpecNode): string {
  if (node.type === "tool") return node.tool || node.operator?.split(".").pop() || "tool (none chosen)";
  if (node.type === "agent") return node.agent?.model || "agent";
  if (node.type === "process")
    return node.process?.language === "python" ? "python" : `jmespath: ${node.process?.expression ?? "@"}`;
  return TYPE_LABEL[node.type] ?? node.type;
}

export function Handles({ type }: { type: SpecNode["type"] | "group" }) {
  return (
    <>
      {type !== "input" &&
        EDGE_KINDS.map((k) => (
          <Handle
            key={`in-${k}`}
            id={`in-${k}`}
            type="target"
            position={Position.Left}
            className={`cv-handle k-${k}`}
            style={{ top: HANDLE_TOP[k] }}
            title={`in: ${KIND_TITLE[k]}`}
            data-testid={`handle-in-${k}`}
          />
        ))}
      {type !== "output" &&
        EDGE_KINDS.map((k) => (
          <Handle
            key={`out-${k}`}
            id={`out-${k}`}
            type="source"
            position={Position.Right}
            className={`cv-handle k-${k}`}
            style={{ top: HANDLE_TOP[k] }}
            title={`out: ${KIND_TITLE[k]}`}
            data-testid={`handle-out-${k}`}
          />
        ))}
    </>
  );
}

// Zoomed far out nobody drags a connection, but React Flow still reads the box of each handle an
// edge is attached to from the DOM (children with class source/target and data-handleid/-pos).
// Plain divs for just those handles give it that, without six <Handle> components per node each
// subscribing to the store.
export function StaticHandles({ used }: { used: string }) {
  if (!used) return null;
  return (
    <>
      {used.split(" ").map((id) => {
        const [dir, kind] = id.split("-") as ["in" | "out", EdgeKind];
        const side = dir === "in" ? "left" : "right";
        return (
          <div
            key={id}
            data-handleid={id}
            data-handlepos={side}
            style={{ top: HANDLE_TOP[kind] }}
            className={`react-flow__handle react-flow__handle-${side} ${dir === "in" ? "target" : "source"} cv-handle k-${kind}`}
          />
        );
      })}
    </>
  );
}

// Crossing the detail threshold switches hundreds of nodes at once. Each re-measure makes React Flow
// notify every subscriber of its store, so the ids are gathered over a frame and measured in one
// call per flow (one pass instead of one per node, which made the switch quadratic).
type Measure = (ids: string[]) => void;
const pendingMeasures = new Map<object, { measure: Measure; ids: Set<string> }>();

function measureLater(store: object, measure: Measure, id: string): void {
  let pending = pendingMeasures.get(store);
  if (!pending) {
    pending = { measure, ids: new Set() };
    pendingMeasures.set(store, pending);
    queueMicrotask(() => {
      pendingMeasures.delete(store);
      pending!.measure([...pending!.ids]);
    });
  }
  pending.ids.add(id);
}

// Below this zoom the text is unreadable anyway: draw a lighter node (level of detail), which keeps
// panning smooth when hundreds of nodes are on screen. The selector returns a boolean, so nodes only
// re-render when the zoom crosses the threshold.
export const DETAIL_ZOOM = 0.45;
const zoomedOut = (s: { transform: [number, number, number] }) => s.transform[2] < DETAIL_ZOOM;

function CanvasNodeView({ id, data, selected }: NodeProps<Node<CanvasNodeData>>) {
  const { node, run, problems, diff, predicted } = data;
  const usage = run as NodeUsage | undefined; // tokens and cost of the shown run (runs/useRunViews.ts)
  const actions = useCanvasActions();
  const far = useStore(zoomedOut);
  const [editing, setEditing] = useState(false);
  // The two levels of detail draw different handles, and the far one only those in use: when that
  // set changes, React Flow must measure the handles again (the node's size may well not change).
  const lightweight = far && !selected;
  const drawnHandles = lightweight ? data.usedHandles : "all";
  const updateInternals = useUpdateNodeInternals();
  const store = useStoreApi();
  const measuredHandles = useRef(drawnHandles);
  useEffect(() => {
    if (measuredHandles.current === drawnHandles) return;
    measuredHandles.current = drawnHandles;
    // useStoreApi() wraps the store in a new object per component: its getState is the shared key.
    measureLater(store.getState, updateInternals, id);
  }, [drawnHandles, id, store, updateInternals]);
  const state = stateClass(run?.state);
  const errors = problems.filter((p) => p.severity !== "warning");
  const shape = node.ui?.shape ? `shape-${node.ui.shape}` : `shape-${node.type}`;
  // The node's own colour (spec ui.color): a tint and the edge, under any run-state edge colour.
  const color = drawableColor(node.ui?.color);
  const look = color ? ({ "--cv-node-accent": color } as CSSProperties) : undefined;
  const cls = [
    "cv-node",
    shape,
    color ? "has-color" : "",
    `state-${state}`,
    errors.length ? "has-error" : "",
    diff && diff !== "unchanged" ? `diff-${diff}` : "",
  ].join(" ");
  if (lightweight) {
    return (
      <div
        className={`${cls} cv-node-far`}
        data-testid={`node-${id}`}
        data-state={state}
        data-type={node.type}
        data-diff={diff ?? ""}
        data-problems={errors.length}
        style={look}
      >
        <StaticHandles used={data.usedHandles} />
        <div className={`cv-node-icon t-${node.type}`} />
        <div className="cv-node-name" data-testid={`node-name-${id}`}>
          {nodeLabel(node)}
        </div>
      </div>
    );
  }
  return (
    <>
      {selected && !actions.readOnly && (
        <NodeResizer
          minWidth={120}
          minHeight={44}
          onResizeEnd={(_e, p) => actions.resize(id, { width: p.width, height: p.height })}
        />
      )}
      <div
        className={cls}
        data-testid={`node-${id}`}
        data-state={state}
        data-type={node.type}
        data-diff={diff ?? ""}
        data-problems={errors.length}
        title={errors.map((p) => `${p.message}${p.hint ? ` (${p.hint})` : ""}`).join("\n") || undefined}
        data-color={color ?? ""}
        style={look}
      >
        <Handles type={node.type} />
        {errors.length > 0 && (
          <span className="cv-node-problem" data-testid={`node-problem-${id}`}>
            {errors[0].code}
          </span>
        )}
        <span className="cv-state-dot" />
        <div className={`cv-node-icon t-${node.type}`}>
          <NodeIcon type={node.type} />
        </div>
        <div className="cv-node-text">
          {editing ? (
            <input
              className="cv-rename nodrag"
              autoFocus
              defaultValue={nodeLabel(node)}
              data-testid="rename-input"
              onKeyDown={(e) => {
                e.stopPropagation();
                if (e.key === "Enter") {
                  actions.rename(id, (e.target as HTMLInputElement).value);
                  setEditing(false);
                } else if (e.key === "Escape") setEditing(false);
              }}
              onBlur={(e) => {
                actions.rename(id, e.target.value);
                setEditing(false);
              }}
            />
          ) : (
            <div
              className="cv-node-name"
              data-testid={`node-name-${id}`}
              onDoubleClick={(e) => {
                if (actions.readOnly) return;
                e.stopPropagation();
                setEditing(true);
              }}
            >
              {nodeLabel(node)}
            </div>
          )}
          <div className="cv-node-sub">{subtitle(node)}</div>
          {(run?.state || predicted !== undefined) && (
            <div className="cv-node-meta">
              {run?.state && <span data-testid={`node-state-${id}`}>{run.state}</span>}
              {run?.duration != null && <span>{formatDuration(run.duration)}</span>}
              {(run?.try_number ?? 0) > 1 && <span>try {run?.try_number}</span>}
              {run?.map_count ? <span>×{run.map_count}</span> : null}
              {usage?.tokens ? (
                <span data-testid={`node-tokens-${id}`}>{formatTokens(usage.tokens)}</span>
              ) : null}
              {usage?.cost ? <span data-testid={`node-cost-${id}`}>{formatCost(usage.cost)}</span> : null}
              {predicted !== undefined && !run?.duration && (
                <span title="predicted from past runs">~{formatDuration(predicted)}</span>
              )}
            </div>
          )}
          <RunStrip cells={data.strip} testId={`node-strip-${id}`} />
        </div>
      </div>
    </>
  );
}

export const CanvasNode = memo(CanvasNodeView);
