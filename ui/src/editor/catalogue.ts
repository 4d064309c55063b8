// Reading GET /catalogue/nodes and GET /tools defensively: the palette and the parameter forms use
// whatever the server offers, and still work when those endpoints are missing.
import type { JsonSchema } from "../spec/types";
import type { ToolInfo } from "../canvas/Palette";
import { itemsOf } from "../api/client";

export function parseNodeSchemas(body: unknown): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  const entries = itemsOf<Record<string, unknown>>(body, "node_types").concat(
    itemsOf<Record<string, unknown>>(body, "nodes"),
  );
  for (const e of entries) {
    const type = String(e.type ?? e.name ?? "");
    const schema = (e.parameters_schema ?? e.parameters ?? e.schema) as JsonSchema | undefined;
    if (type && schema && typeof schema === "object" && schema.properties) out[type] = schema;
  }
  return out;
}

export function parseTools(items: Record<string, unknown>[]): ToolInfo[] {
  const out: ToolInfo[] = [];
  for (const t of items) {
    const name = String(t.name ?? "");
    if (!name) continue;
    const versions = Array.isArray(t.versions) ? (t.versions as unknown[]).map(String) : [];
    const version = String(t.version ?? t.latest ?? versions[versions.length - 1] ?? "");
    if (version) out.push({ name, version, description: t.description as string | undefined });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
