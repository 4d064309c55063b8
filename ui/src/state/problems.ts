// Matching the API's problems (JSON pointers) to what the panel shows: a node's fields, an edge's.
import type { Problem, Workflow } from "../spec/types";
import { edgeKey } from "../spec/types";

function unescape(part: string): string {
  return part.replace(/~1/g, "/").replace(/~0/g, "~");
}

export function pointerParts(pointer: string): string[] {
  return pointer.split("/").slice(1).map(unescape);
}

/** Problems of one element, keyed by the field path inside it ("name", "execution/timeout_seconds"). */
export function fieldProblems(
  problems: Problem[],
  wf: Workflow,
  target: { node?: string; edge?: string; group?: string },
): Record<string, Problem> {
  const out: Record<string, Problem> = {};
  for (const p of problems) {
    const parts = pointerParts(p.pointer ?? "");
    let mine = false;
    if (target.node) {
      mine =
        (parts[0] === "nodes" && wf.nodes[Number(parts[1])]?.id === target.node) ||
        (p.node_id === target.node && parts[0] !== "edges");
    } else if (target.edge) {
      mine =
        (parts[0] === "edges" &&
          wf.edges[Number(parts[1])] &&
          edgeKey(wf.edges[Number(parts[1])]) === target.edge) ||
        p.edge_id === target.edge;
    } else if (target.group) {
      mine =
        (parts[0] === "groups" && wf.groups[Number(parts[1])]?.id === target.group) ||
        p.group_id === target.group;
    }
    if (!mine) continue;
    const field =
      parts[0] === "nodes" || parts[0] === "edges" || parts[0] === "groups" ? parts.slice(2).join("/") : "";
    out[field] ??= p;
  }
  return out;
}

/** Field errors under a prefix, keyed by the next path part (for a SchemaForm of that object). */
export function errorsUnder(
  fields: Record<string, Problem>,
  prefix: string,
): { errors: Record<string, string>; hints: Record<string, string> } {
  const errors: Record<string, string> = {};
  const hints: Record<string, string> = {};
  for (const [path, p] of Object.entries(fields)) {
    if (!path.startsWith(prefix + "/")) continue;
    const key = path.slice(prefix.length + 1).split("/")[0];
    errors[key] ??= p.message;
    if (p.hint) hints[key] ??= p.hint;
  }
  return { errors, hints };
}
