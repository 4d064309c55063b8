import { describe, expect, it } from "vitest";
import {
  GAP_X,
  boxOf,
  freeSlot,
  overlaps,
  placeNewNodes,
  revealViewport,
  type Rect,
} from "../src/canvas/placement";
import { NODE_H, NODE_W } from "../src/canvas/toFlow";
import type { Workflow } from "../src/spec/types";
import { sample } from "./fixtures";

const size = { width: NODE_W, height: NODE_H };

function boxes(wf: Workflow, except: string[] = []): Rect[] {
  return wf.nodes.filter((n) => !except.includes(n.id)).map((n) => boxOf(n));
}

describe("placing new nodes", () => {
  it("takes the preferred slot when it is free", () => {
    expect(freeSlot({ x: 1300, y: 0 }, size, boxes(sample()))).toEqual({ x: 1300, y: 0 });
  });

  it("moves to the first free slot below when the preferred one is taken", () => {
    const taken = [{ x: 0, y: 0, w: NODE_W, h: NODE_H }];
    const at = freeSlot({ x: 10, y: 10 }, size, taken);
    expect(at.x).toBe(10);
    expect(at.y).toBeGreaterThanOrEqual(NODE_H);
    expect(overlaps({ x: at.x, y: at.y, w: NODE_W, h: NODE_H }, taken[0])).toBe(false);
  });

  it("puts a connected node right of its upstream node, free of every existing box", () => {
    const wf = sample();
    const next: Workflow = {
      ...wf,
      nodes: [...wf.nodes, { id: "a", type: "process" }, { id: "b", type: "process" }],
      edges: [
        ...wf.edges,
        { source: "done", target: "a", kind: "data_flow" },
        { source: "ask", target: "b", kind: "data_flow" },
      ],
    };
    const placed = placeNewNodes(next, ["a", "b"]);
    const a = boxOf(placed.nodes.find((n) => n.id === "a")!);
    const b = boxOf(placed.nodes.find((n) => n.id === "b")!);
    // `done` is the last node (x 900): `a` goes straight to its right, level with it.
    expect(a).toMatchObject({ x: 900 + NODE_W + GAP_X, y: 0 });
    // Right of `ask` is `fetch`: `b` shifts down to the first free slot in that column.
    expect(b.x).toBe(NODE_W + GAP_X);
    for (const box of [a, b]) for (const other of boxes(wf)) expect(overlaps(box, other)).toBe(false);
    expect(overlaps(a, b)).toBe(false);
    // Near its neighbour: within two slots of it.
    expect(Math.abs(b.y - 0)).toBeLessThanOrEqual(2 * (NODE_H + 40));
  });

  it("places new nodes connected to each other upstream first, and keeps a free given position", () => {
    const wf = sample();
    const next: Workflow = {
      ...wf,
      nodes: [
        ...wf.nodes,
        { id: "second", type: "process" },
        { id: "first", type: "process" },
        { id: "kept", type: "output", ui: { position: { x: 3000, y: 500 } } },
      ],
      edges: [
        ...wf.edges,
        { source: "done", target: "first", kind: "data_flow" },
        { source: "first", target: "second", kind: "data_flow" },
      ],
    };
    const placed = placeNewNodes(next, ["second", "first", "kept"]);
    const first = boxOf(placed.nodes.find((n) => n.id === "first")!);
    const second = boxOf(placed.nodes.find((n) => n.id === "second")!);
    expect(second.x).toBe(first.x + NODE_W + GAP_X);
    expect(placed.nodes.find((n) => n.id === "kept")!.ui!.position).toEqual({ x: 3000, y: 500 });
  });

  it("re-places a new node that would sit on top of another", () => {
    const wf = sample();
    const next: Workflow = {
      ...wf,
      nodes: [...wf.nodes, { id: "x", type: "process", ui: { position: { x: 310, y: 5 } } }],
    };
    const x = boxOf(placeNewNodes(next, ["x"]).nodes.find((n) => n.id === "x")!);
    for (const other of boxes(wf)) expect(overlaps(x, other)).toBe(false);
  });
});

describe("bringing nodes into view", () => {
  const view = { x: 0, y: 0, zoom: 1 };
  it("leaves the view alone when the nodes are visible", () => {
    expect(revealViewport(view, { x: 100, y: 100, w: 200, h: 64 }, 800, 600)).toBeNull();
  });
  it("pans just enough to show nodes off to the right, keeping the zoom", () => {
    const next = revealViewport(view, { x: 1000, y: 100, w: 200, h: 64 }, 800, 600)!;
    expect(next.zoom).toBe(1);
    expect(1000 + 200 + next.x).toBeLessThanOrEqual(800 - 40);
    expect(1000 + next.x).toBeGreaterThanOrEqual(40);
  });
  it("zooms out when the nodes do not fit at the current zoom", () => {
    const next = revealViewport(view, { x: 0, y: 0, w: 2000, h: 64 }, 800, 600)!;
    expect(next.zoom).toBeLessThan(1);
    expect(2000 * next.zoom + next.x).toBeLessThanOrEqual(800 - 40 + 1e-6);
  });
});
