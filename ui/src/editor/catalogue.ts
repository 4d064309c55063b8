// What the palette and the tool/operator panels read: GET /catalogue/nodes, GET /tools and
// GET /catalogue/operators (types generated from the API's OpenAPI document), and the pure rules
// built on them: which palette entries a search shows, in which groups, what a dropped operator
// becomes, and the forms generated from an operator's or a tool's schema.
import type { JsonSchema, NodeType, SpecNode } from "../spec/types";
import { NODE_TYPES } from "../spec/types";
import { api, type NodeCatalogue, type ToolSummary } from "../api/client";
import type { components } from "../api/schema";

type Schemas = components["schemas"];
export type OperatorEntry = Schemas["OperatorEntry"];
export type ToolVersionInfo = Schemas["ToolVersion"];
export type ToolSpec = Schemas["ToolVersionWithSpec"]["spec"];

export interface ToolInfo {
  name: string;
  version: string;
  description?: string;
  /** How many versions the store holds (built-ins: 1). */
  versions?: number;
}

/** A parameters form per node type, for the node panel. The catalogue describes each type's config
 * block (`config_schema`: a process node's `process`, an agent's `agent`), not its free-form
 * `parameters`, so no type has a parameters form from it: forms come from a tool's or operator's
 * own schema (ToolSection, OperatorSection). */
export function parseNodeSchemas(catalogue: NodeCatalogue): Record<string, JsonSchema> {
  void catalogue;
  return {};
}

export function parseTools(items: ToolSummary[]): ToolInfo[] {
  const out = items.map((t) => ({
    name: t.name,
    version: t.latest,
    description: t.description,
    versions: t.versions,
  }));
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

// ---- The palette's entries ------------------------------------------------------------------

export type PaletteGroup = "Nodes" | "Tools" | "Operators";

export interface PaletteEntry {
  group: PaletteGroup;
  type: NodeType;
  label: string;
  /** A second line: a tool's description, an operator's provider and summary. */
  detail?: string;
  extra?: Partial<SpecNode>;
  testId: string;
}

const TYPE_TEXT: Record<NodeType, string> = {
  input: "Input: the run's parameters (the trigger form)",
  process: "Process: JMESPath or Python over the inputs",
  tool: "Tool: a versioned tool or an Airflow operator",
  agent: "Agent: a model with tools",
  output: "Output: the workflow's result, asset outlets",
};

/** Every word of `query` appears in `text` (case-blind); an empty query matches everything. */
export function matchesWords(query: string, text: string): boolean {
  const hay = text.toLowerCase();
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((w) => hay.includes(w));
}

/** The provider's short name: apache-airflow-providers-common-sql -> common-sql. */
export function providerLabel(provider: string): string {
  return provider.replace(/^apache-airflow-providers-/, "");
}

/** A node id from an operator class: BashOperator -> bash, HttpSensor -> http_sensor,
 * SQLExecuteQueryOperator -> sql_execute_query. */
export function operatorNodeId(className: string): string {
  const base = className.replace(/Operator$/, "") || className;
  const snake = base
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, "_");
  return /^[a-z_]/.test(snake) ? snake : `op_${snake}`;
}

/** What dropping an operator creates: an operator-backed tool node with empty parameters. */
export function operatorNodeExtra(entry: Pick<OperatorEntry, "operator" | "name">): Partial<SpecNode> {
  return { id: operatorNodeId(entry.name), tool: null, operator: entry.operator, parameters: {} };
}

export function nodeTypeEntries(query: string): PaletteEntry[] {
  return NODE_TYPES.filter((t) => matchesWords(query, `${t} ${TYPE_TEXT[t]}`)).map((t) => ({
    group: "Nodes",
    type: t,
    label: t.charAt(0).toUpperCase() + t.slice(1),
    detail: TYPE_TEXT[t].split(": ")[1],
    testId: `palette-${t}`,
  }));
}

export function toolEntries(tools: ToolInfo[], query: string): PaletteEntry[] {
  return tools
    .filter((t) => matchesWords(query, `${t.name} ${t.description ?? ""} tool`))
    .map((t) => ({
      group: "Tools",
      type: "tool",
      label: `${t.name}@${t.version}`,
      detail: t.description,
      extra: { tool: `${t.name}@${t.version}`, name: t.name },
      testId: `palette-tool-${t.name}`,
    }));
}

/** Operators as the server's search (catalogue.operators.search_operators) ranked them. */
export function operatorEntries(items: OperatorEntry[]): PaletteEntry[] {
  return items.map((e) => ({
    group: "Operators",
    type: "tool",
    label: e.name,
    detail: `${providerLabel(e.provider)}${e.summary ? ` · ${e.summary.split("\n")[0]}` : ""}`,
    extra: operatorNodeExtra(e),
    testId: `palette-op-${e.name}`,
  }));
}

/** The next active row for a key press in a list of `count` rows (wraps around; -1 = none). */
export function moveActive(active: number, key: string, count: number): number {
  if (count === 0) return -1;
  if (key === "ArrowDown") return active < 0 ? 0 : (active + 1) % count;
  if (key === "ArrowUp") return active <= 0 ? count - 1 : active - 1;
  if (key === "Home") return 0;
  if (key === "End") return count - 1;
  return Math.min(active, count - 1);
}

// ---- Reading the catalogues ------------------------------------------------------------------

const enc = encodeURIComponent;

/** GET /catalogue/operators: the one search the co-pilot uses too (ranked by class name first). */
export function searchOperators(search: string, limit = 200, signal?: AbortSignal) {
  return api<Schemas["OperatorPage"]>(`/catalogue/operators?search=${enc(search)}&limit=${limit}`, {
    signal,
  });
}

const operatorCache = new Map<string, Promise<OperatorEntry | null>>();

/** One operator's entry by import path (searched by its class name, matched exactly), cached. */
export function operatorEntry(path: string): Promise<OperatorEntry | null> {
  let hit = operatorCache.get(path);
  if (!hit) {
    const cls = path.split(".").pop() ?? path;
    hit = searchOperators(cls, 50)
      .then((page) => page.items.find((e) => e.operator === path) ?? null)
      .catch(() => {
        operatorCache.delete(path); // a failed read is tried again next time
        return null;
      });
    operatorCache.set(path, hit);
  }
  return hit;
}

export function toolVersions(name: string) {
  return api<Schemas["ToolVersionPage"]>(`/tools/${enc(name)}/versions`).then((b) => b.items);
}

export function toolVersion(name: string, version: string) {
  return api<Schemas["ToolVersionWithSpec"]>(`/tools/${enc(name)}/versions/${enc(version)}`);
}

/** An exact x.y.z in a tool reference (name@1.2.3), else null (a range such as ^1.2 or *). */
export function exactVersion(ref: string): string | null {
  const v = ref.split("@")[1] ?? "";
  return /^\d+\.\d+\.\d+$/.test(v) ? v : null;
}

// ---- Forms from schemas ------------------------------------------------------------------------

const JINJA_NOTE =
  "Templated: Jinja allowed ({{ run_id }}, {{ params.x }}, {{ dag_run.run_after | ds }}; {{ ds }} only in scheduled runs).";

/** An operator's parameters schema for SchemaForm: templated fields say so in their help text
 * and title, so the form marks where Jinja is rendered. */
export function operatorFormSchema(schema: JsonSchema | undefined): JsonSchema {
  const props = (schema?.properties ?? {}) as Record<string, JsonSchema>;
  const marked: Record<string, JsonSchema> = {};
  for (const [key, prop] of Object.entries(props)) {
    if (prop["x-templated"]) {
      const title = (prop.title as string | undefined) ?? humanKey(key);
      marked[key] = {
        ...prop,
        title: `${title} {{ }}`,
        description: [JINJA_NOTE, prop.description].filter(Boolean).join(" "),
      };
    } else marked[key] = prop;
  }
  return { ...(schema ?? {}), type: "object", properties: marked };
}

function humanKey(key: string): string {
  const words = key.replace(/_/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A tool node's parameters form: the tool's input schema, every field optional (a node
 * parameter is a fixed argument; the inputs an edge brings override it, and what neither gives
 * comes from the tool's defaults, shown as each field's default). */
export function toolParamsSchema(tool: Pick<ToolSpec, "input_schema" | "parameters"> | null): JsonSchema {
  const input = (tool?.input_schema ?? {}) as JsonSchema;
  const props = { ...((input.properties ?? {}) as Record<string, JsonSchema>) };
  const defaults = (tool?.parameters ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(defaults)) {
    props[key] = { ...(props[key] ?? {}), default: value };
  }
  return { ...input, type: "object", properties: props, required: [] };
}

/** "name (type), other (type)" of a schema's top-level fields, required ones starred. */
export function schemaSummary(schema: JsonSchema | undefined): string {
  const props = (schema?.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema?.required as string[] | undefined) ?? []);
  const parts = Object.entries(props).map(([k, p]) => {
    const t = Array.isArray(p.type) ? p.type.join("|") : ((p.type as string | undefined) ?? "any");
    return `${k}${required.has(k) ? "*" : ""} (${t})`;
  });
  return parts.join(", ") || (schema && Object.keys(schema).length ? "any value" : "not declared");
}
