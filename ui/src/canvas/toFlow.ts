// Spec -> React Flow elements. Groups become parent nodes (sub flows) sized to their members;
// a collapsed group hides its members and edges to them are re-routed to the group, so a
// 1000-node workflow folded into groups draws a handful of elements.
import { MarkerType, type Edge as FlowEdge, type Node as FlowNode } from "@xyflow/react";
import type { EdgeKind, Problem, SpecEdge, SpecGroup, SpecNode, Workflow } from "../spec/types";
import { edgeKey, positionOf } from "../spec/types";
import type { DiffStatus } from "../state/diff";
import { aggregateState, type NodeRunInfo } from "../state/status";
import type { EdgeFlow } from "../runs/api";
import type { StripCell } from "../runs/runData";
import { BoxIndex, detourFor, type Detour } from "./edgeRoute";

export const NODE_W = 200; // estimate used for group bounds before React Flow has measured a node
export const NODE_H = 64;
export const GROUP_PAD = 20;
export const GROUP_HEADER = 30;
export const COLLAPSED_W = 220;
export const COLLAPSED_H = 72;

export interface Overlays {
  runs?: Record<string, NodeRunInfo>;
  problems?: Problem[];
  diff?: {
    nodes: Record<string, DiffStatus>;
    edges: Record<string, DiffStatus>;
    groups: Record<string, DiffStatus>;
  };
  predicted?: Record<string, number>;
  runActive?: boolean;
  /** Each node's last runs (runs/runData.ts) and the shown run's data on edges (edge key ->). */
  strips?: Record<string, StripCell[]>;
  edgeFlows?: Record<string, EdgeFlow>;
}

export interface CanvasNodeData extends Record<string, unknown> {
  node: SpecNode;
  run?: NodeRunInfo;
  problems: Problem[];
  diff?: DiffStatus;
  predicted?: number;
  strip?: StripCell[];
  /** The handles edges are attached to ("in-data_flow out-trigger"): all a far-zoomed node draws. */
  usedHandles: string;
}

export interface GroupNodeData extends Record<string, unknown> {
  group: SpecGroup;
  collapsed: boolean;
  memberCount: number;
  state: string;
  problems: Problem[];
  diff?: DiffStatus;
}

export interface EdgeData extends Record<string, unknown>, Partial<Detour> {
  edge: SpecEdge;
  kind: EdgeKind;
  problems: Problem[];
  diff?: DiffStatus;
  aggregated: boolean;
  flow?: EdgeFlow;
}

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Rendered sizes React Flow measured, by node id: a node drawn larger than the NODE_W x NODE_H
 * estimate (a long name, a run badge) would otherwise stick out of its group's frame. */
export type MeasuredSizes = ReadonlyMap<string, { width: number; height: number }>;

function nodeBox(n: SpecNode, measured?: MeasuredSizes): Box {
  const p = positionOf(n);
  const m = measured?.get(n.id);
  // An explicit size is what React Flow draws; else what it measured; else the estimate.
  return {
    x: p.x,
    y: p.y,
    w: n.ui?.size?.width ?? m?.width ?? NODE_W,
    h: n.ui?.size?.height ?? m?.height ?? NODE_H,
  };
}

function union(boxes: Box[]): Box | null {
  if (boxes.length === 0) return null;
  const x = Math.min(...boxes.map((b) => b.x));
  const y = Math.min(...boxes.map((b) => b.y));
  const r = Math.max(...boxes.map((b) => b.x + b.w));
  const bottom = Math.max(...boxes.map((b) => b.y + b.h));
  return { x, y, w: r - x, h: bottom - y };
}

const EMPTY: Problem[] = [];

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function problemsBy(
  problems: Problem[] | undefined,
  key: "node_id" | "edge_id" | "group_id",
): Map<string, Problem[]> {
  const out = new Map<string, Problem[]>();
  for (const p of problems ?? []) {
    const id = p[key];
    if (!id) continue;
    const list = out.get(id);
    if (list) list.push(p);
    else out.set(id, [p]);
  }
  return out;
}

export function toFlow(
  wf: Workflow,
  overlays: Overlays = {},
  selected: ReadonlySet<string> = new Set(),
  measured?: MeasuredSizes,
): { nodes: FlowNode[]; edges: FlowEdge[] } {
  const groups = new Map(wf.groups.map((g) => [g.id, g]));
  const validGroup = (gid: string | null | undefined) => (gid && groups.has(gid) ? gid : null);
  const childrenGroups = new Map<string | null, SpecGroup[]>();
  for (const g of wf.groups) {
    const parent = validGroup(g.parent) === g.id ? null : validGroup(g.parent);
    pushTo(childrenGroups, parent, g);
  }
  const membersOf = new Map<string | null, SpecNode[]>();
  for (const n of wf.nodes) pushTo(membersOf, validGroup(n.group), n);

  // Absolute boxes of groups, innermost first (post-order), guarding against parent cycles.
  const boxes = new Map<string, Box>();
  const visiting = new Set<string>();
  const groupBox = (g: SpecGroup): Box => {
    if (boxes.has(g.id)) return boxes.get(g.id)!;
    if (visiting.has(g.id)) return { x: 0, y: 0, w: COLLAPSED_W, h: COLLAPSED_H };
    visiting.add(g.id);
    const inner = union([
      ...(membersOf.get(g.id) ?? []).map((n) => nodeBox(n, measured)),
      ...(childrenGroups.get(g.id) ?? []).map(groupBox),
    ]);
    let box: Box;
    if (!inner) box = { x: 0, y: 0, w: COLLAPSED_W, h: COLLAPSED_H };
    else if (g.collapsed)
      box = { x: inner.x - GROUP_PAD, y: inner.y - GROUP_PAD - GROUP_HEADER, w: COLLAPSED_W, h: COLLAPSED_H };
    else
      box = {
        x: inner.x - GROUP_PAD,
        y: inner.y - GROUP_PAD - GROUP_HEADER,
        w: inner.w + 2 * GROUP_PAD,
        h: inner.h + 2 * GROUP_PAD + GROUP_HEADER,
      };
    boxes.set(g.id, box);
    return box;
  };

  const nodeProblems = problemsBy(overlays.problems, "node_id");
  const edgeProblems = problemsBy(overlays.problems, "edge_id");
  const groupProblems = problemsBy(overlays.problems, "group_id");
  const runs = overlays.runs ?? {};

  const nodes: FlowNode[] = [];
  // The absolute box of every drawn node and collapsed group: what edges are routed around.
  const drawn = new Map<string, Box>();
  // Which visible element stands for each node id (itself, or its outermost collapsed group).
  const visibleFor = new Map<string, string>();

  const descendantNodeIds = (gid: string): string[] => [
    ...(membersOf.get(gid) ?? []).map((n) => n.id),
    ...(childrenGroups.get(gid) ?? []).flatMap((c) => descendantNodeIds(c.id)),
  ];

  const emitGroup = (
    g: SpecGroup,
    parentBox: Box | null,
    parentId: string | undefined,
    hiddenBy: string | null,
  ) => {
    const box = groupBox(g);
    const collapsedHere = Boolean(g.collapsed) && hiddenBy === null;
    if (collapsedHere) drawn.set(`group:${g.id}`, box);
    if (hiddenBy === null) {
      const memberIds = descendantNodeIds(g.id);
      const data: GroupNodeData = {
        group: g,
        collapsed: Boolean(g.collapsed),
        memberCount: memberIds.length,
        state: aggregateState(memberIds.map((id) => runs[id]?.state ?? null)),
        problems: [
          ...(groupProblems.get(g.id) ?? []),
          ...(g.collapsed ? memberIds.flatMap((id) => nodeProblems.get(id) ?? []) : []),
        ],
        diff: overlays.diff?.groups[g.id],
      };
      nodes.push({
        id: `group:${g.id}`,
        // Not "group": React Flow styles its built-in group type with a frame of its own.
        type: "cvgroup",
        position: parentBox ? { x: box.x - parentBox.x, y: box.y - parentBox.y } : { x: box.x, y: box.y },
        parentId,
        data,
        style: { width: box.w, height: box.h },
        selected: selected.has(`group:${g.id}`),
        zIndex: g.collapsed ? 1 : -1,
        dragHandle: ".cv-group-header",
      });
    }
    const hide = hiddenBy ?? (collapsedHere ? `group:${g.id}` : null);
    for (const child of childrenGroups.get(g.id) ?? []) emitGroup(child, box, `group:${g.id}`, hide);
    for (const n of membersOf.get(g.id) ?? []) emitNode(n, box, `group:${g.id}`, hide);
  };

  const emitNode = (
    n: SpecNode,
    parentBox: Box | null,
    parentId: string | undefined,
    hiddenBy: string | null,
  ) => {
    if (hiddenBy) {
      visibleFor.set(n.id, hiddenBy);
      return;
    }
    visibleFor.set(n.id, n.id);
    drawn.set(n.id, nodeBox(n, measured));
    const p = positionOf(n);
    const data: CanvasNodeData = {
      node: n,
      run: runs[n.id],
      problems: nodeProblems.get(n.id) ?? EMPTY,
      diff: overlays.diff?.nodes[n.id],
      predicted: overlays.predicted?.[n.id],
      strip: overlays.strips?.[n.id],
      usedHandles: "",
    };
    nodes.push({
      id: n.id,
      type: "canvas",
      position: parentBox ? { x: p.x - parentBox.x, y: p.y - parentBox.y } : { x: p.x, y: p.y },
      parentId,
      data,
      selected: selected.has(n.id),
      style: n.ui?.size ? { width: n.ui.size.width, height: n.ui.size.height } : undefined,
    });
  };

  // React Flow needs parents before children: groups are emitted top-down before their members.
  for (const g of childrenGroups.get(null) ?? []) emitGroup(g, null, undefined, null);
  for (const n of membersOf.get(null) ?? []) emitNode(n, null, undefined, null);

  const edges: FlowEdge[] = [];
  const index = wf.edges.length ? new BoxIndex(drawn) : null;
  const seenAggregated = new Set<string>();
  const usedHandles = new Map<string, Set<string>>();
  const markHandleUsed = (node: string, handle: string) => {
    const set = usedHandles.get(node);
    if (set) set.add(handle);
    else usedHandles.set(node, new Set([handle]));
  };
  for (const e of wf.edges) {
    const key = edgeKey(e);
    const source = visibleFor.get(e.source);
    const target = visibleFor.get(e.target);
    if (!source || !target || source === target) continue;
    const aggregated = source !== e.source || target !== e.target;
    const kind: EdgeKind = e.kind ?? "data_flow";
    const id = aggregated ? `agg:${source}->${target}:${kind}` : key;
    if (aggregated) {
      if (seenAggregated.has(id)) continue;
      seenAggregated.add(id);
    }
    markHandleUsed(source, `out-${kind}`);
    markHandleUsed(target, `in-${kind}`);
    const sourceState = runs[e.source]?.state;
    const targetState = runs[e.target]?.state;
    const data: EdgeData = {
      edge: e,
      kind,
      problems: edgeProblems.get(key) ?? EMPTY,
      diff: overlays.diff?.edges[key],
      aggregated,
      flow: aggregated ? undefined : overlays.edgeFlows?.[key],
      ...detourFor(index!, drawn, source, target, kind),
    };
    edges.push({
      id,
      source,
      target,
      sourceHandle: `out-${kind}`,
      targetHandle: `in-${kind}`,
      type: "canvas",
      data,
      className: [
        `k-${kind}`,
        data.problems.some((p) => p.severity !== "warning") ? "has-error" : "",
        data.diff && data.diff !== "unchanged" ? `diff-${data.diff}` : "",
      ].join(" "),
      markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16 },
      selected: selected.has(id),
      // Data is "flowing" into a target that is running after its source finished.
      animated:
        Boolean(overlays.runActive) &&
        sourceState === "success" &&
        (targetState === "running" || targetState === "queued"),
    });
  }
  for (const n of nodes) {
    const used = usedHandles.get(n.id);
    if (used && n.type === "canvas") (n.data as CanvasNodeData).usedHandles = [...used].sort().join(" ");
  }
  return { nodes, edges };
}
