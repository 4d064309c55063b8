// The visual diff of two versions: which nodes, edges and groups were added, removed or changed,
// and for a changed element which fields changed. The canvas draws the merged graph from this model
// (added green, removed red, changed amber); positions alone are not a "change" worth flagging.
import type { SpecEdge, SpecGroup, SpecNode, Workflow } from "../spec/types";
import { edgeKey } from "../spec/types";

export type DiffStatus = "added" | "removed" | "changed" | "unchanged";

export interface FieldChange {
  path: string;
  before: unknown;
  after: unknown;
}

export interface ElementDiff<T> {
  id: string;
  status: DiffStatus;
  /** The element as drawn: the new one, or the old one when it was removed. */
  element: T;
  changes: FieldChange[];
}

export interface WorkflowDiff {
  nodes: ElementDiff<SpecNode>[];
  edges: ElementDiff<SpecEdge>[];
  groups: ElementDiff<SpecGroup>[];
  workflow: FieldChange[];
  counts: Record<Exclude<DiffStatus, "unchanged">, number>;
}

// spec_version: the server's diff ignores it too (a stored spec spells it out, a patched one not).
const IGNORED = new Set(["ui.position", "ui.size", "version", "spec_version"]);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Leaf-level differences between two JSON values, as dotted paths. */
export function fieldChanges(before: unknown, after: unknown, prefix = ""): FieldChange[] {
  // A section added or removed as a whole is listed field by field, like any other edit.
  if (isObject(after) && before === undefined) before = {};
  if (isObject(before) && after === undefined) after = {};
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => {
      const path = prefix ? `${prefix}.${k}` : k;
      return IGNORED.has(path) ? [] : fieldChanges(before[k], after[k], path);
    });
  }
  // Key order inside list items is no change (the server's dumps and stored JSON order keys apart).
  if (canonical(before ?? null) === canonical(after ?? null)) return [];
  // Empty values and missing keys mean the same thing in a spec (the server fills defaults).
  if (isEmpty(before) && isEmpty(after)) return [];
  return [{ path: prefix, before, after }];
}

/** JSON with object keys sorted at every depth. */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    isObject(x)
      ? Object.fromEntries(
          Object.keys(x)
            .sort()
            .map((k) => [k, x[k]]),
        )
      : x,
  );
}

function isEmpty(v: unknown): boolean {
  return (
    v === undefined ||
    v === null ||
    v === "" ||
    (Array.isArray(v) && v.length === 0) ||
    (isObject(v) && Object.keys(v).length === 0)
  );
}

function diffList<T>(before: T[], after: T[], key: (t: T) => string): ElementDiff<T>[] {
  const old = new Map(before.map((t) => [key(t), t]));
  const now = new Map(after.map((t) => [key(t), t]));
  const out: ElementDiff<T>[] = [];
  for (const [id, element] of now) {
    const prev = old.get(id);
    if (prev === undefined) {
      out.push({ id, status: "added", element, changes: [] });
    } else {
      const changes = fieldChanges(prev, element);
      out.push({ id, status: changes.length ? "changed" : "unchanged", element, changes });
    }
  }
  for (const [id, element] of old) {
    if (!now.has(id)) out.push({ id, status: "removed", element, changes: [] });
  }
  return out;
}

export function diffWorkflows(before: Workflow, after: Workflow): WorkflowDiff {
  const nodes = diffList(before.nodes, after.nodes, (n) => n.id);
  // Edges are keyed by their endpoints so a kind/label edit shows as "changed", not remove+add.
  const edges = diffList(before.edges, after.edges, edgeKey);
  const groups = diffList(before.groups, after.groups, (g) => g.id);
  const strip = ({ nodes: _n, edges: _e, groups: _g, ...rest }: Workflow) => rest;
  const workflow = fieldChanges(strip(before), strip(after));
  const counts = { added: 0, removed: 0, changed: 0 };
  for (const d of [...nodes, ...edges, ...groups]) if (d.status !== "unchanged") counts[d.status] += 1;
  return { nodes, edges, groups, workflow, counts };
}

/** The merged workflow the canvas draws in diff mode: everything in `after` plus what was removed. */
export function mergedForDiff(diff: WorkflowDiff): Workflow & { id: string } {
  return {
    id: "diff",
    nodes: diff.nodes.map((d) => d.element),
    edges: diff.edges.map((d) => d.element),
    groups: diff.groups.map((d) => d.element),
  };
}

export function statusById<T>(items: ElementDiff<T>[]): Record<string, DiffStatus> {
  return Object.fromEntries(items.map((d) => [d.id, d.status]));
}

export function formatValue(v: unknown): string {
  // The server leaves default values out of stored specs: a missing value is the default.
  return v === undefined ? "(default)" : JSON.stringify(v);
}
