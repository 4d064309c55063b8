// Reading GET /catalogue/nodes and GET /tools (types generated from the API's OpenAPI document).
import type { JsonSchema } from "../spec/types";
import type { ToolInfo } from "../canvas/Palette";
import type { NodeCatalogue, ToolSummary } from "../api/client";

/** A parameters form per node type, for the node panel. The catalogue describes each type's config
 * block (`config_schema`: a process node's `process`, an agent's `agent`), not its free-form
 * `parameters`, so no type has a parameters form from it: forms come from a tool's own schema. */
export function parseNodeSchemas(catalogue: NodeCatalogue): Record<string, JsonSchema> {
  void catalogue;
  return {};
}

export function parseTools(items: ToolSummary[]): ToolInfo[] {
  const out = items.map((t) => ({ name: t.name, version: t.latest, description: t.description }));
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
