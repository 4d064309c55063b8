// Auto-layout with ELK's layered algorithm, left to right like Airflow's graph view. ELK runs in a
// Web Worker loaded from the plugin's static folder (elk-worker.min.js), so the 1.5 MB engine is
// neither in the main bundle nor on the UI thread.
import ELK from "elkjs/lib/elk-api.js";
import type { ElkExtendedEdge, ElkNode } from "elkjs/lib/elk-api.js";
import { positionOf, type Workflow } from "../spec/types";
import { COLLAPSED_H, COLLAPSED_W, GROUP_HEADER, GROUP_PAD, NODE_H, NODE_W } from "./toFlow";

let workerUrl = "/node_modules/elkjs/lib/elk-worker.min.js";
export function setElkWorkerUrl(url: string): void {
  workerUrl = url;
}

let elk: InstanceType<typeof ELK> | null = null;
function engine(): InstanceType<typeof ELK> {
  elk ??= new ELK({ workerUrl });
  return elk;
}

const ROOT_OPTIONS = {
  "elk.algorithm": "layered",
  "elk.direction": "RIGHT",
  "elk.hierarchyHandling": "INCLUDE_CHILDREN",
  "elk.layered.spacing.nodeNodeBetweenLayers": "70",
  "elk.spacing.nodeNode": "30",
  "elk.edgeRouting": "SPLINES",
};

export type Sizes = Record<string, { width: number; height: number }>;

/** The ELK graph for a workflow: groups are compound nodes, collapsed groups are leaves. */
export function toElkGraph(wf: Workflow, sizes: Sizes = {}): ElkNode {
  const groups = new Map(wf.groups.map((g) => [g.id, g]));
  const elkNodes = new Map<string, ElkNode>();
  const visibleFor = new Map<string, string>();
  const collapsedAncestor = (gid: string | null | undefined): string | null => {
    let found: string | null = null;
    const seen = new Set<string>();
    for (
      let cur = gid ?? null;
      cur && groups.has(cur) && !seen.has(cur);
      cur = groups.get(cur)!.parent ?? null
    ) {
      seen.add(cur);
      if (groups.get(cur)!.collapsed) found = cur;
    }
    return found;
  };
  const root: ElkNode = { id: "__root__", layoutOptions: ROOT_OPTIONS, children: [], edges: [] };
  const containerOf = (gid: string | null | undefined): ElkNode =>
    gid && elkNodes.has(`group:${gid}`) ? elkNodes.get(`group:${gid}`)! : root;

  // Groups first, outer before inner (parents may be listed after children, so loop until stable).
  const pending = wf.groups.filter((g) => !collapsedAncestor(g.parent));
  for (let guard = 0; pending.length && guard < wf.groups.length + 1; guard += 1) {
    for (const g of [...pending]) {
      if (g.parent && groups.has(g.parent) && !elkNodes.has(`group:${g.parent}`)) continue;
      const id = `group:${g.id}`;
      const node: ElkNode = g.collapsed
        ? { id, width: COLLAPSED_W, height: COLLAPSED_H }
        : {
            id,
            children: [],
            layoutOptions: {
              "elk.padding": `[top=${GROUP_PAD + GROUP_HEADER},left=${GROUP_PAD},bottom=${GROUP_PAD},right=${GROUP_PAD}]`,
            },
          };
      elkNodes.set(id, node);
      containerOf(g.parent).children!.push(node);
      pending.splice(pending.indexOf(g), 1);
    }
  }
  for (const n of wf.nodes) {
    const hidden = collapsedAncestor(n.group);
    if (hidden) {
      visibleFor.set(n.id, `group:${hidden}`);
      continue;
    }
    visibleFor.set(n.id, n.id);
    const size = sizes[n.id] ?? n.ui?.size ?? { width: NODE_W, height: NODE_H };
    const node: ElkNode = { id: n.id, width: size.width, height: size.height };
    elkNodes.set(n.id, node);
    containerOf(n.group).children!.push(node);
  }
  const seen = new Set<string>();
  for (const e of wf.edges) {
    const s = visibleFor.get(e.source);
    const t = visibleFor.get(e.target);
    if (!s || !t || s === t || seen.has(`${s}->${t}`)) continue;
    seen.add(`${s}->${t}`);
    root.edges!.push({ id: `${s}->${t}`, sources: [s], targets: [t] } as ElkExtendedEdge);
  }
  return root;
}

/** Absolute top-left positions of every visible element after layout. */
export function positionsFrom(laidOut: ElkNode): Record<string, { x: number; y: number }> {
  const out: Record<string, { x: number; y: number }> = {};
  const walk = (n: ElkNode, ox: number, oy: number) => {
    for (const c of n.children ?? []) {
      const x = ox + (c.x ?? 0);
      const y = oy + (c.y ?? 0);
      out[c.id] = { x, y };
      walk(c, x, y);
    }
  };
  walk(laidOut, 0, 0);
  return out;
}

/**
 * New node positions for the workflow. Members of a collapsed group keep their offsets inside it
 * and move with it, so expanding it later shows them where they were relative to each other.
 */
export function applyLayout(
  wf: Workflow,
  positions: Record<string, { x: number; y: number }>,
): Record<string, { x: number; y: number }> {
  const groups = new Map(wf.groups.map((g) => [g.id, g]));
  const result: Record<string, { x: number; y: number }> = {};
  const hiddenBy = (gid: string | null | undefined): string | null => {
    let found: string | null = null;
    const seen = new Set<string>();
    for (
      let cur = gid ?? null;
      cur && groups.has(cur) && !seen.has(cur);
      cur = groups.get(cur)!.parent ?? null
    ) {
      seen.add(cur);
      if (groups.get(cur)!.collapsed) found = cur;
    }
    return found;
  };
  // Where a collapsed group's frame was: its members' top-left corner.
  const oldCorner = new Map<string, { x: number; y: number }>();
  for (const n of wf.nodes) {
    const g = hiddenBy(n.group);
    if (!g) continue;
    const p = positionOf(n);
    const c = oldCorner.get(g);
    oldCorner.set(g, c ? { x: Math.min(c.x, p.x), y: Math.min(c.y, p.y) } : p);
  }
  for (const n of wf.nodes) {
    const g = hiddenBy(n.group);
    if (!g) {
      if (positions[n.id]) result[n.id] = positions[n.id];
      continue;
    }
    const target = positions[`group:${g}`];
    const corner = oldCorner.get(g);
    if (!target || !corner) continue;
    const p = positionOf(n);
    // The collapsed frame's top-left sits GROUP_PAD+header above/left of the members' corner.
    result[n.id] = {
      x: target.x + GROUP_PAD + (p.x - corner.x),
      y: target.y + GROUP_PAD + GROUP_HEADER + (p.y - corner.y),
    };
  }
  return result;
}

export async function autoLayout(
  wf: Workflow,
  sizes: Sizes = {},
): Promise<Record<string, { x: number; y: number }>> {
  const laidOut = await engine().layout(toElkGraph(wf, sizes));
  return applyLayout(wf, positionsFrom(laidOut));
}
