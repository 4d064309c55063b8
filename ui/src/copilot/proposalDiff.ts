// What a co-pilot proposal changes, in the canvas's diff model, for "Preview on canvas" and the
// chat's mini diagram.
//
// The marks come from the server's diff of the proposal (computed on the parsed models), not from
// comparing the proposal's JSON with the spec on screen: the two are different serialisations of
// the same workflow (the proposal's spec has every default spelled out, `ui.collapsed: false`,
// `process.language: "jmespath"` ..., the editor's draft leaves them out), so a field-by-field
// comparison of the two marked every node as changed. Unchanged elements are the editor's own
// objects, so the preview draws them exactly as the canvas did.
import { placeNewNodes, type Sizes } from "../canvas/placement";
import type { Workflow } from "../spec/types";
import { edgeKey } from "../spec/types";
import {
  diffWorkflows,
  fieldChanges,
  type DiffStatus,
  type ElementDiff,
  type WorkflowDiff,
} from "../state/diff";
import type { Proposal, ServerDiff } from "./types";

type Section = ServerDiff["nodes"];

/** Paths that are layout only: a node the proposal merely moves is not marked. */
const LAYOUT = /^ui\.(position|size)(\.|$)/;

export function statusIn(section: Section | undefined, id: string): DiffStatus {
  if (!section) return "unchanged";
  if (section.added.includes(id)) return "added";
  if (section.removed.includes(id)) return "removed";
  const fields = section.changed[id];
  return fields && fields.some((f) => !LAYOUT.test(f)) ? "changed" : "unchanged";
}

function diffSection<T>(
  before: T[],
  after: T[],
  key: (t: T) => string,
  section: Section | undefined,
): ElementDiff<T>[] {
  const old = new Map(before.map((t) => [key(t), t]));
  const out: ElementDiff<T>[] = [];
  const seen = new Set<string>();
  for (const element of after) {
    const id = key(element);
    seen.add(id);
    const status = old.has(id) ? statusIn(section, id) : "added";
    const prev = old.get(id);
    // Untouched: the editor's own object. Moved only: drawn where the proposal puts it, unmarked.
    const moved = section?.changed[id] !== undefined;
    if (status === "unchanged" && prev !== undefined)
      out.push({ id, status, element: moved ? element : prev, changes: [] });
    else out.push({ id, status, element, changes: status === "changed" ? fieldChanges(prev, element) : [] });
  }
  for (const [id, element] of old)
    if (!seen.has(id)) out.push({ id, status: "removed", element, changes: [] });
  return out;
}

/** The proposal's workflow with its new nodes placed free of overlap next to their neighbours. */
export function placedProposal(current: Workflow, proposal: Proposal, sizes: Sizes = {}): Workflow | null {
  // The wire type of the proposal's spec is the generated one; it is a Workflow.
  const next = proposal.workflow as Workflow | null | undefined;
  if (!next) return null;
  const had = new Set(current.nodes.map((n) => n.id));
  const added = (next.nodes ?? []).filter((n) => !had.has(n.id)).map((n) => n.id);
  return placeNewNodes(withLists(next), added, sizes);
}

function withLists(wf: Workflow): Workflow {
  return { ...wf, nodes: wf.nodes ?? [], edges: wf.edges ?? [], groups: wf.groups ?? [] };
}

/**
 * The diff `current -> proposal` drawn on the canvas. `after` is the proposal's (placed) workflow;
 * without the server's diff (an older server) it falls back to comparing the two specs.
 */
export function proposalDiff(current: Workflow, after: Workflow, server?: ServerDiff | null): WorkflowDiff {
  if (!server) return diffWorkflows(current, after);
  const nodes = diffSection(current.nodes, after.nodes, (n) => n.id, server.nodes);
  const edges = diffSection(current.edges, after.edges, edgeKey, server.edges);
  const groups = diffSection(current.groups, after.groups, (g) => g.id, server.groups);
  const counts = { added: 0, removed: 0, changed: 0 };
  for (const d of [...nodes, ...edges, ...groups]) if (d.status !== "unchanged") counts[d.status] += 1;
  const workflow = (server.workflow ?? []).map((path) => ({ path, before: undefined, after: undefined }));
  return { nodes, edges, groups, workflow, counts };
}
