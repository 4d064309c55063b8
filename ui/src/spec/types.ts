// The workflow spec's types, generated from the API's OpenAPI document (ui/openapi.json, exported
// from airflow_canvas/spec/models.py; `npm run api-types` writes src/api/schema.d.ts). Optional
// fields are optional because the server leaves defaults out; the UI never invents keys the model
// forbids.
import type { components } from "../api/schema";

type Schemas = components["schemas"];

export type NodeType = Schemas["NodeType"];
export type EdgeKind = Schemas["EdgeKind"];
export type GroupMode = Schemas["GroupMode"];
export type JsonSchema = Record<string, unknown>;
export type RetryPolicy = Schemas["RetryPolicy"];
export type ExecutionPolicy = Schemas["ExecutionPolicy"];
export type NodeUI = Schemas["NodeUI"];
export type SpecNode = Schemas["Node"];
export type FieldMapping = Schemas["FieldMapping"];
export type SpecEdge = Schemas["Edge"];
export type SpecGroup = Schemas["Group"];
/** A spec as the API sends it: defaults left out, so even its three lists may be absent. */
export type WireWorkflow = Schemas["Workflow"];
/** A spec on the canvas: `normaliseWorkflow` filled in the three lists. */
export type Workflow = WireWorkflow & { nodes: SpecNode[]; edges: SpecEdge[]; groups: SpecGroup[] };
/** A problem. The server sends every field; the UI's own checks leave out the owners they don't know. */
export type Problem = Omit<Schemas["Problem"], Owners> & Partial<Pick<Schemas["Problem"], Owners>>;
type Owners = "node_id" | "edge_id" | "group_id" | "hint";

export const NODE_TYPES: NodeType[] = ["input", "process", "tool", "agent", "output"];
export const EDGE_KINDS: EdgeKind[] = ["data_flow", "dependency", "trigger"];

export function edgeKey(edge: SpecEdge): string {
  return edge.id || `${edge.source}->${edge.target}`;
}

export function nodeLabel(node: SpecNode): string {
  return node.name || node.id;
}

export function emptyWorkflow(id: string, name = ""): Workflow {
  return { id, name, nodes: [], edges: [], groups: [] };
}

/** A node's position; the server omits default values (x or y of 0), so read through this. */
export function positionOf(node: SpecNode): { x: number; y: number } {
  const p = node.ui?.position;
  return { x: Number(p?.x ?? 0) || 0, y: Number(p?.y ?? 0) || 0 };
}

/** Fill what the server leaves out as defaults, so the canvas never sees a half-set position. */
export function normaliseWorkflow(spec: WireWorkflow): Workflow {
  return {
    ...spec,
    nodes: (spec.nodes ?? []).map((n) => ({ ...n, ui: { ...n.ui, position: positionOf(n) } })),
    edges: spec.edges ?? [],
    groups: spec.groups ?? [],
  };
}
