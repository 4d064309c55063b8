// Pure edits of a workflow spec. The canvas, the panel, the keyboard and the co-pilot all change
// the workflow only through these functions, which is what makes undo/redo and tests simple.
import type { EdgeKind, GroupMode, SpecEdge, SpecGroup, SpecNode, NodeType, Workflow } from "../spec/types";
import { edgeKey, positionOf } from "../spec/types";

const ID_CHARS = /[^A-Za-z0-9_-]+/g;

export function slugify(text: string): string {
  const slug = text
    .trim()
    .toLowerCase()
    .replace(ID_CHARS, "_")
    .replace(/^_+|_+$/g, "");
  return /^[A-Za-z0-9_]/.test(slug) ? slug : `n_${slug}`;
}

/** `base`, or `base_2`, `base_3`... whichever is not taken. */
export function uniqueId(base: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  const clean = slugify(base) || "node";
  if (!used.has(clean)) return clean;
  for (let i = 2; ; i += 1) {
    const candidate = `${clean}_${i}`;
    if (!used.has(candidate)) return candidate;
  }
}

function allIds(wf: Workflow): string[] {
  return [...wf.nodes.map((n) => n.id), ...wf.groups.map((g) => g.id)];
}

export const NODE_DEFAULTS: Record<NodeType, Partial<SpecNode>> = {
  input: { input_schema: { type: "object", properties: {} } },
  process: { process: { language: "jmespath", expression: "@" } },
  tool: { tool: null },
  agent: {
    agent: { prompt: "", system_prompt: "", tools: [], max_steps: 8, connection_id: "openai_default" },
  },
  output: {},
};

export function addNode(
  wf: Workflow,
  type: NodeType,
  position: { x: number; y: number },
  extra: Partial<SpecNode> = {},
): { wf: Workflow; id: string } {
  const base = extra.id ?? (extra.tool ? String(extra.tool).split("@")[0] : type);
  const id = uniqueId(base, allIds(wf));
  const node: SpecNode = {
    ...structuredClone(NODE_DEFAULTS[type]),
    ...extra,
    id,
    type,
    name: extra.name ?? "",
    ui: { ...(extra.ui ?? {}), position: { x: Math.round(position.x), y: Math.round(position.y) } },
  };
  return { wf: { ...wf, nodes: [...wf.nodes, node] }, id };
}

export function updateNode(wf: Workflow, id: string, patch: Partial<SpecNode>): Workflow {
  return { ...wf, nodes: wf.nodes.map((n) => (n.id === id ? { ...n, ...patch } : n)) };
}

export function moveNodes(wf: Workflow, positions: Record<string, { x: number; y: number }>): Workflow {
  return {
    ...wf,
    nodes: wf.nodes.map((n) =>
      positions[n.id]
        ? {
            ...n,
            ui: { ...n.ui, position: { x: Math.round(positions[n.id].x), y: Math.round(positions[n.id].y) } },
          }
        : n,
    ),
  };
}

export function resizeNode(wf: Workflow, id: string, size: { width: number; height: number }): Workflow {
  const rounded = {
    width: Math.max(40, Math.round(size.width)),
    height: Math.max(30, Math.round(size.height)),
  };
  return { ...wf, nodes: wf.nodes.map((n) => (n.id === id ? { ...n, ui: { ...n.ui, size: rounded } } : n)) };
}

/** Renaming an id rewrites every reference to it (edges, fallbacks, groups). */
export function renameNodeId(wf: Workflow, oldId: string, wanted: string): Workflow {
  const newId = uniqueId(
    wanted,
    allIds(wf).filter((i) => i !== oldId),
  );
  if (newId === oldId) return wf;
  const swap = (v: string | null | undefined) => (v === oldId ? newId : v);
  return {
    ...wf,
    nodes: wf.nodes.map((n) => ({
      ...n,
      id: n.id === oldId ? newId : n.id,
      execution:
        n.execution?.fallback_node === oldId ? { ...n.execution, fallback_node: newId } : n.execution,
    })),
    edges: wf.edges.map((e) => ({ ...e, source: swap(e.source)!, target: swap(e.target)! })),
  };
}

export function connect(wf: Workflow, source: string, target: string, kind: EdgeKind): Workflow {
  if (source === target) return wf;
  if (wf.edges.some((e) => e.source === source && e.target === target)) {
    // One edge per pair: connecting again changes the kind rather than doubling the edge.
    return {
      ...wf,
      edges: wf.edges.map((e) => (e.source === source && e.target === target ? { ...e, kind } : e)),
    };
  }
  return { ...wf, edges: [...wf.edges, { source, target, kind }] };
}

export function updateEdge(wf: Workflow, key: string, patch: Partial<SpecEdge>): Workflow {
  return { ...wf, edges: wf.edges.map((e) => (edgeKey(e) === key ? { ...e, ...patch } : e)) };
}

/** Delete nodes (with their edges), edges and groups (their members move to the parent group). */
export function removeElements(
  wf: Workflow,
  sel: { nodes?: string[]; edges?: string[]; groups?: string[] },
): Workflow {
  const nodes = new Set(sel.nodes ?? []);
  const edges = new Set(sel.edges ?? []);
  const groups = new Set(sel.groups ?? []);
  const parentOf = new Map(wf.groups.map((g) => [g.id, g.parent ?? null]));
  const survivingParent = (gid: string | null | undefined): string | null => {
    let cur = gid ?? null;
    while (cur && groups.has(cur)) cur = parentOf.get(cur) ?? null;
    return cur;
  };
  return {
    ...wf,
    nodes: wf.nodes
      .filter((n) => !nodes.has(n.id))
      .map((n) => (n.group && groups.has(n.group) ? { ...n, group: survivingParent(n.group) } : n)),
    edges: wf.edges.filter((e) => !edges.has(edgeKey(e)) && !nodes.has(e.source) && !nodes.has(e.target)),
    groups: wf.groups
      .filter((g) => !groups.has(g.id))
      .map((g) => (g.parent && groups.has(g.parent) ? { ...g, parent: survivingParent(g.parent) } : g)),
  };
}

/** The chain of groups a group sits in, innermost first (itself included). */
export function groupAncestors(wf: Workflow, groupId: string | null | undefined): string[] {
  const byId = new Map(wf.groups.map((g) => [g.id, g]));
  const chain: string[] = [];
  let cur = groupId ?? null;
  while (cur && byId.has(cur) && !chain.includes(cur)) {
    chain.push(cur);
    cur = byId.get(cur)!.parent ?? null;
  }
  return chain;
}

/**
 * Make a group of the selected nodes and groups. The new group nests inside the innermost group
 * that contains all of the selection, so grouping inside a group gives a nested group.
 */
export function groupSelection(
  wf: Workflow,
  nodeIds: string[],
  groupIds: string[] = [],
  label = "Group",
  mode: GroupMode = "parallel",
): { wf: Workflow; id: string } | null {
  if (nodeIds.length + groupIds.length === 0) return null;
  const chains = [
    ...nodeIds.map((id) => groupAncestors(wf, wf.nodes.find((n) => n.id === id)?.group)),
    ...groupIds.map((id) => groupAncestors(wf, wf.groups.find((g) => g.id === id)?.parent)),
  ];
  const common = chains[0].find((g) => chains.every((c) => c.includes(g))) ?? null;
  const id = uniqueId(label || "group", allIds(wf));
  const chosenNodes = new Set(nodeIds);
  const chosenGroups = new Set(groupIds);
  const group: SpecGroup = { id, label, parent: common, mode, collapsed: false };
  return {
    id,
    wf: {
      ...wf,
      // Members of inner groups stay in them; only the selection's top-level items move in.
      nodes: wf.nodes.map((n) =>
        chosenNodes.has(n.id) && (n.group ?? null) === common ? { ...n, group: id } : n,
      ),
      groups: [
        ...wf.groups.map((g) =>
          chosenGroups.has(g.id) && (g.parent ?? null) === common ? { ...g, parent: id } : g,
        ),
        group,
      ],
    },
  };
}

export function updateGroup(wf: Workflow, id: string, patch: Partial<SpecGroup>): Workflow {
  return { ...wf, groups: wf.groups.map((g) => (g.id === id ? { ...g, ...patch } : g)) };
}

export function toggleCollapse(wf: Workflow, id: string): Workflow {
  const group = wf.groups.find((g) => g.id === id);
  return group ? updateGroup(wf, id, { collapsed: !group.collapsed }) : wf;
}

export function ungroup(wf: Workflow, id: string): Workflow {
  return removeElements(wf, { groups: [id] });
}

/** What Ctrl+C puts on the clipboard: the nodes and the edges between them. */
export interface ClipboardPayload {
  kind: "airflow-canvas/nodes";
  nodes: SpecNode[];
  edges: SpecEdge[];
}

export function copySelection(wf: Workflow, nodeIds: string[]): ClipboardPayload {
  const chosen = new Set(nodeIds);
  return {
    kind: "airflow-canvas/nodes",
    nodes: structuredClone(wf.nodes.filter((n) => chosen.has(n.id))),
    edges: structuredClone(wf.edges.filter((e) => chosen.has(e.source) && chosen.has(e.target))),
  };
}

/**
 * Add copied nodes (and the edges between them) with fresh ids where theirs are taken. `at` puts the
 * copied nodes' top-left corner there (where the user pasted); without it they land 40 px down and
 * right of where they were copied from (duplicate).
 */
export function paste(
  wf: Workflow,
  payload: ClipboardPayload,
  at?: { x: number; y: number },
): { wf: Workflow; ids: string[] } {
  let offset = { x: 40, y: 40 };
  if (at && payload.nodes.length) {
    const positions = payload.nodes.map(positionOf);
    offset = {
      x: Math.round(at.x - Math.min(...positions.map((p) => p.x))),
      y: Math.round(at.y - Math.min(...positions.map((p) => p.y))),
    };
  }
  const taken = allIds(wf);
  const groupIds = new Set(wf.groups.map((g) => g.id));
  const rename = new Map<string, string>();
  const nodes = payload.nodes.map((n) => {
    const id = uniqueId(n.id, [...taken, ...rename.values()]);
    rename.set(n.id, id);
    const pos = positionOf(n);
    return {
      ...structuredClone(n),
      id,
      // A group from another workflow does not exist here.
      group: n.group && groupIds.has(n.group) ? n.group : null,
      ui: { ...n.ui, position: { x: pos.x + offset.x, y: pos.y + offset.y } },
    };
  });
  const edges = payload.edges.map((e) => ({
    ...structuredClone(e),
    id: undefined,
    source: rename.get(e.source)!,
    target: rename.get(e.target)!,
  }));
  return {
    wf: { ...wf, nodes: [...wf.nodes, ...nodes], edges: [...wf.edges, ...edges] },
    ids: nodes.map((n) => n.id),
  };
}

export function isClipboardPayload(value: unknown): value is ClipboardPayload {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as ClipboardPayload).kind === "airflow-canvas/nodes" &&
    Array.isArray((value as ClipboardPayload).nodes)
  );
}

export function duplicateNodes(wf: Workflow, nodeIds: string[]): { wf: Workflow; ids: string[] } {
  return paste(wf, copySelection(wf, nodeIds));
}
