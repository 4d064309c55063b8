// Small read-only diagrams drawn with the canvas's own node and edge components: a proposal's
// preview diff (added green, removed red, changed amber) or a sub-graph from a reply.
import { ReactFlow, ReactFlowProvider } from "@xyflow/react";
import { useMemo } from "react";
import { CanvasEdge } from "../canvas/CanvasEdge";
import { CanvasNode } from "../canvas/CanvasNode";
import { GroupNode } from "../canvas/GroupNode";
import { CanvasActionsContext, type CanvasActions } from "../canvas/actions";
import { toFlow, type Overlays } from "../canvas/toFlow";
import type { SpecEdge, SpecNode, Workflow } from "../spec/types";
import { mergedForDiff, statusById, type WorkflowDiff } from "../state/diff";

const nodeTypes = { canvas: CanvasNode, cvgroup: GroupNode }; // must match toFlow's node types
const edgeTypes = { canvas: CanvasEdge };
const noop = () => undefined;
const READ_ONLY: CanvasActions = {
  readOnly: true,
  rename: noop,
  resize: noop,
  toggleGroup: noop,
  renameGroup: noop,
  openOutput: noop,
};
export const MAX_DIAGRAM_NODES = 40;

/** The changed part of a proposal and its direct neighbours, so big workflows stay legible. */
export function previewGraph(d: WorkflowDiff): { wf: Workflow; overlays: Overlays } {
  const merged = mergedForDiff(d);
  const status = { nodes: statusById(d.nodes), edges: statusById(d.edges), groups: statusById(d.groups) };
  let wf: Workflow = merged;
  if (merged.nodes.length > MAX_DIAGRAM_NODES) {
    const touched = new Set(d.nodes.filter((n) => n.status !== "unchanged").map((n) => n.id));
    for (const e of d.edges.filter((x) => x.status !== "unchanged")) {
      touched.add(e.element.source);
      touched.add(e.element.target);
    }
    const keep = new Set(touched);
    for (const e of merged.edges) {
      if (touched.has(e.source)) keep.add(e.target);
      if (touched.has(e.target)) keep.add(e.source);
    }
    wf = {
      ...merged,
      nodes: merged.nodes.filter((n) => keep.has(n.id)).map((n) => ({ ...n, group: null })),
      edges: merged.edges.filter((e) => keep.has(e.source) && keep.has(e.target)),
      groups: [],
    };
  }
  return { wf, overlays: { diff: status } };
}

export function FlowDiagram({
  wf,
  overlays = {},
  height = 220,
  testId,
}: {
  wf: Workflow;
  overlays?: Overlays;
  height?: number;
  testId?: string;
}) {
  const flow = useMemo(() => toFlow(wf, overlays), [wf, overlays]);
  return (
    // Its own provider: the editor's canvas store must not be shared with this preview.
    <ReactFlowProvider>
      <CanvasActionsContext.Provider value={READ_ONLY}>
        <div className="cv-cp-diagram" style={{ height }} data-testid={testId ?? "copilot-diagram"}>
          <ReactFlow
            nodes={flow.nodes}
            edges={flow.edges}
            nodeTypes={nodeTypes}
            edgeTypes={edgeTypes}
            fitView
            nodesDraggable={false}
            nodesConnectable={false}
            elementsSelectable={false}
            zoomOnScroll={false}
            proOptions={{ hideAttribution: true }}
            minZoom={0.2}
            maxZoom={1}
            fitViewOptions={{ padding: 0.2, maxZoom: 1 }}
          />
        </div>
      </CanvasActionsContext.Provider>
    </ReactFlowProvider>
  );
}

export function SubgraphDiagram({
  nodes,
  edges,
  title,
}: {
  nodes: SpecNode[];
  edges: SpecEdge[];
  title?: string;
}) {
  const wf = useMemo<Workflow>(() => {
    const ids = new Set(nodes.map((n) => n.id));
    return {
      id: "diagram",
      nodes: nodes.map((n) => ({ ...n, group: null })),
      edges: edges.filter((e) => ids.has(e.source) && ids.has(e.target)),
      groups: [],
    };
  }, [nodes, edges]);
  return (
    <div>
      {title && <div className="cv-cp-caption">{title}</div>}
      <FlowDiagram wf={wf} height={160} />
    </div>
  );
}
