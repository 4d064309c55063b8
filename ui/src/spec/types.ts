// The workflow spec as the API sends it: mirrors airflow_canvas/spec/models.py. Optional fields are
// optional here because the server fills defaults; the UI never invents keys the model forbids.

export type NodeType = "input" | "process" | "output" | "tool" | "agent";
export type EdgeKind = "data_flow" | "dependency" | "trigger";
export type GroupMode = "sequential" | "parallel";
export type JsonSchema = Record<string, unknown>;

export interface RetryPolicy {
  retries?: number;
  delay_seconds?: number;
  exponential_backoff?: boolean;
  max_delay_seconds?: number | null;
}

export interface ExecutionPolicy {
  timeout_seconds?: number | null;
  retry?: RetryPolicy | null;
  on_error?: "fail" | "skip" | "continue" | "fallback" | null;
  fallback_node?: string | null;
  pool?: string | null;
  pool_slots?: number | null;
  queue?: string | null;
  priority_weight?: number | null;
  map_over?: string | null;
  [key: string]: unknown;
}

export interface NodeUI {
  position?: { x: number; y: number };
  size?: { width: number; height: number } | null;
  collapsed?: boolean;
  color?: string | null;
  shape?: "rectangle" | "rounded" | "pill" | "diamond" | "circle" | null;
}

export interface SpecNode {
  id: string;
  name?: string;
  type: NodeType;
  description?: string;
  input_schema?: JsonSchema;
  output_schema?: JsonSchema;
  parameters?: Record<string, unknown>;
  templates?: Record<string, string>;
  tool?: string | null;
  operator?: string | null;
  process?: { language?: "jmespath" | "python"; expression?: string } | null;
  agent?: {
    model?: string | null;
    system_prompt?: string;
    prompt?: string;
    tools?: string[];
    max_steps?: number;
    connection_id?: string;
    temperature?: number | null;
    request_timeout_seconds?: number;
  } | null;
  execution?: ExecutionPolicy;
  notifications?: unknown[];
  group?: string | null;
  ui?: NodeUI;
}

export interface FieldMapping {
  source?: string;
  target: string;
  transform?: string | null;
}

export interface SpecEdge {
  id?: string | null;
  source: string;
  target: string;
  kind?: EdgeKind;
  label?: string;
  mapping?: FieldMapping[];
  condition?: string | null;
}

export interface SpecGroup {
  id: string;
  label?: string;
  parent?: string | null;
  mode?: GroupMode;
  collapsed?: boolean;
  description?: string;
  notifications?: unknown[];
}

export interface Workflow {
  spec_version?: number;
  id: string;
  name?: string;
  description?: string;
  version?: number | null;
  tags?: string[];
  triggers?: {
    schedule?: { kind: "cron" | "preset" | "interval"; value: string } | null;
    assets?: { uris: string[]; mode?: "and" | "or" } | null;
  };
  settings?: Record<string, unknown>;
  defaults?: ExecutionPolicy;
  notifications?: unknown[];
  nodes: SpecNode[];
  edges: SpecEdge[];
  groups: SpecGroup[];
  tools?: unknown[];
}

export interface Problem {
  code: string;
  message: string;
  pointer: string;
  node_id?: string | null;
  edge_id?: string | null;
  group_id?: string | null;
  hint?: string | null;
  severity: "error" | "warning";
}

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
export function normaliseWorkflow(spec: Workflow): Workflow {
  return {
    ...spec,
    nodes: (spec.nodes ?? []).map((n) => ({ ...n, ui: { ...n.ui, position: positionOf(n) } })),
    edges: spec.edges ?? [],
    groups: spec.groups ?? [],
  };
}
