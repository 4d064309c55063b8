// The property panel: forms for the selected node, edge or group, or the workflow itself.
// Every change goes through `change(next, coalesceKey)` = one undoable step per field burst.
import type { JsonSchema, Problem, Workflow } from "../spec/types";
import { edgeKey } from "../spec/types";
import { EdgePanel } from "./EdgePanel";
import { GroupPanel } from "./GroupPanel";
import { NodePanel } from "./NodePanel";
import type { NodeRunProps } from "./NodeRunSection";
import { WorkflowPanel } from "./WorkflowPanel";

export interface Selection {
  nodes: string[];
  edges: string[];
  groups: string[];
}

export interface PanelProps {
  wf: Workflow;
  selection: Selection;
  problems: Problem[];
  readOnly: boolean;
  change: (next: Workflow, key?: string) => void;
  select: (sel: Selection) => void;
  nodeSchemas: Record<string, JsonSchema>;
  toolRefs: string[];
  run: Omit<NodeRunProps, "node">;
  /** Whether the user holds Canvas Code (GET /me): without it a save that adds or alters code is refused. */
  canWriteCode?: boolean;
}

export function PropertyPanel(props: PanelProps) {
  const { wf, selection } = props;
  if (selection.nodes.length === 1 && selection.edges.length === 0) {
    const node = wf.nodes.find((n) => n.id === selection.nodes[0]);
    if (node) return <NodePanel key={node.id} {...props} node={node} />;
  }
  if (selection.edges.length === 1 && selection.nodes.length === 0) {
    const edge = wf.edges.find((e) => edgeKey(e) === selection.edges[0]);
    if (edge) return <EdgePanel key={edgeKey(edge)} {...props} edge={edge} />;
  }
  if (selection.groups.length === 1 && selection.nodes.length === 0) {
    const group = wf.groups.find((g) => g.id === selection.groups[0]);
    if (group) return <GroupPanel key={group.id} {...props} group={group} />;
  }
  if (selection.nodes.length + selection.edges.length + selection.groups.length > 1) {
    return (
      <div data-testid="panel-multi">
        <p>
          {selection.nodes.length} nodes, {selection.edges.length} edges, {selection.groups.length} groups
          selected.
        </p>
        <p className="cv-help">Ctrl+G groups them, Delete removes them, Ctrl+C copies them.</p>
      </div>
    );
  }
  return <WorkflowPanel {...props} />;
}
