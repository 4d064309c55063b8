import { describe, expect, it } from "vitest";
import type { Node, NodeChange } from "@xyflow/react";
import { ALL_SIZES_UP_TO, FIT_MAX_ZOOM, fitViewportFor, memberSizes, mergeSizes } from "../src/canvas/bounds";
import { GROUP_HEADER, GROUP_PAD, NODE_W, toFlow, type MeasuredSizes } from "../src/canvas/toFlow";
import * as ops from "../src/state/ops";
import { sample } from "./fixtures";

type Box = { x: number; y: number; r: number; b: number };

/** Absolute boxes of every element, from React Flow's relative positions and the given sizes. */
function absoluteBoxes(nodes: Node[], sizes: MeasuredSizes): Map<string, Box> {
  const out = new Map<string, Box>();
  for (const n of nodes) {
    const parent = n.parentId ? out.get(n.parentId)! : { x: 0, y: 0 };
    const x = parent.x + n.position.x;
    const y = parent.y + n.position.y;
    const w = Number(n.style?.width ?? sizes.get(n.id)?.width ?? NODE_W);
    const h = Number(n.style?.height ?? sizes.get(n.id)?.height ?? 64);
    out.set(n.id, { x, y, r: x + w, b: y + h });
  }
  return out;
}

function expectMembersInside(nodes: Node[], sizes: MeasuredSizes) {
  const boxes = absoluteBoxes(nodes, sizes);
  for (const n of nodes) {
    if (!n.parentId) continue;
    const inner = boxes.get(n.id)!;
    const frame = boxes.get(n.parentId)!;
    expect(inner.x, `${n.id} left`).toBeGreaterThanOrEqual(frame.x + GROUP_PAD);
    expect(inner.y, `${n.id} top`).toBeGreaterThanOrEqual(frame.y + GROUP_PAD + GROUP_HEADER);
    expect(inner.r, `${n.id} right`).toBeLessThanOrEqual(frame.r - GROUP_PAD);
    expect(inner.b, `${n.id} bottom`).toBeLessThanOrEqual(frame.b - GROUP_PAD);
  }
}

describe("group frames hold their members", () => {
  it("a member drawn larger than the size estimate stays inside its frame, with padding", () => {
    // "shape" renders 290 x 110 (a long name, a run badge): the estimate alone let it stick out.
    const sizes: MeasuredSizes = new Map([["shape", { width: 290, height: 110 }]]);
    const { nodes } = toFlow(sample(), {}, new Set(), sizes);
    expectMembersInside(nodes, sizes);
    const frame = nodes.find((n) => n.id === "group:g1")!;
    expect(frame.style).toMatchObject({ width: 290 + 2 * GROUP_PAD });
  });

  it("a member moved past the frame's edge, or resized, grows the frame", () => {
    const moved = ops.moveNodes(sample(), { shape: { x: 900, y: 400 } });
    const { nodes } = toFlow(moved);
    expectMembersInside(nodes, new Map());
    const resized = ops.resizeNode(sample(), "think", { width: 420, height: 200 });
    expectMembersInside(toFlow(resized).nodes, new Map());
  });

  it("nested groups hold nested members", () => {
    const wf = sample();
    wf.groups.push({ id: "outer", label: "Outer" });
    wf.groups[0].parent = "outer";
    wf.nodes.find((n) => n.id === "done")!.group = "outer";
    const sizes: MeasuredSizes = new Map([["think", { width: 300, height: 90 }]]);
    expectMembersInside(toFlow(wf, {}, new Set(), sizes).nodes, sizes);
  });

  it("keeps group members' measured sizes (every node's on a small canvas), ignores sub-pixel changes", () => {
    const { nodes } = toFlow(sample());
    const changes: NodeChange[] = [
      { type: "dimensions", id: "shape", dimensions: { width: 250, height: 80 } },
      { type: "dimensions", id: "ask", dimensions: { width: 250, height: 80 } },
      { type: "position", id: "think", position: { x: 1, y: 1 } },
    ];
    // A small canvas keeps them all (edges are routed round the drawn boxes)...
    expect([...memberSizes(changes, nodes)!.keys()]).toEqual(["shape", "ask"]);
    // ...a big one only the group members' (no second derivation of a big flat workflow).
    const big = [
      ...nodes,
      ...Array.from({ length: ALL_SIZES_UP_TO }, (_, i) => ({ ...nodes[0], id: `x${i}` })),
    ];
    const got = memberSizes(changes, big)!;
    expect([...got.keys()]).toEqual(["shape"]);
    const merged = mergeSizes(new Map(), got)!;
    expect(merged.get("shape")).toEqual({ width: 250, height: 80 });
    expect(mergeSizes(merged, new Map([["shape", { width: 250.4, height: 80.2 }]]))).toBeNull();
    expect(memberSizes([{ type: "select", id: "shape", selected: true }], nodes)).toBeNull();
  });
});

describe("fit", () => {
  it("zooms a small workflow in past 100%, up to the cap", () => {
    const { nodes } = toFlow(sample());
    const vp = fitViewportFor(nodes, 2400, 1400, 0.05)!;
    expect(vp.zoom).toBeGreaterThan(1);
    expect(vp.zoom).toBeLessThanOrEqual(FIT_MAX_ZOOM);
    // A single node would be blown up without the cap.
    const one = fitViewportFor(
      nodes.filter((n) => n.id === "ask"),
      2400,
      1400,
      0.05,
    )!;
    expect(one.zoom).toBe(FIT_MAX_ZOOM);
  });

  it("shows the whole graph inside the pane", () => {
    const { nodes } = toFlow(sample());
    const vp = fitViewportFor(nodes, 800, 500, 0.05)!;
    const x0 = vp.x + 0 * vp.zoom;
    const x1 = vp.x + (900 + NODE_W) * vp.zoom;
    expect(x0).toBeGreaterThanOrEqual(0);
    expect(x1).toBeLessThanOrEqual(800);
    expect(x1 - x0).toBeGreaterThan(0.75 * 800);
  });

  it("has nothing to fit on an empty canvas or a pane without a size", () => {
    expect(fitViewportFor([], 800, 500, 0.05)).toBeNull();
    expect(fitViewportFor(toFlow(sample()).nodes, 0, 0, 0.05)).toBeNull();
  });
});
