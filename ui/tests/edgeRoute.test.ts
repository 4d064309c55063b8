import { describe, expect, it } from "vitest";
import { BoxIndex, detourFor, detourPath, segmentHitsBox, type Box } from "../src/canvas/edgeRoute";
import { toFlow, type EdgeData } from "../src/canvas/toFlow";
import type { Workflow } from "../src/spec/types";

// nightly_report's shape once laid out in a row: collect -> render -> publish, and collect -> publish
// straight past render.
function chain(): Workflow {
  return {
    id: "wf",
    name: "Chain",
    nodes: [
      { id: "collect", type: "process", ui: { position: { x: 0, y: 0 } } },
      { id: "render", type: "tool", ui: { position: { x: 270, y: 0 } } },
      { id: "publish", type: "output", ui: { position: { x: 540, y: 0 } } },
    ],
    edges: [
      { source: "collect", target: "render", kind: "dependency" },
      { source: "collect", target: "publish" },
      { source: "render", target: "publish", kind: "dependency" },
    ],
    groups: [],
  };
}

/** Points along an SVG path made of M/L/Q commands (the corners' control points are inside). */
function pathPoints(d: string): [number, number][] {
  const nums = d.match(/-?\d+(\.\d+)?/g)!.map(Number);
  const out: [number, number][] = [];
  for (let i = 0; i < nums.length; i += 2) out.push([nums[i], nums[i + 1]]);
  return out;
}

describe("edges go round the nodes in their way", () => {
  it("finds a segment through a box and not one beside it", () => {
    const b: Box = { x: 100, y: 0, w: 100, h: 50 };
    expect(segmentHitsBox(0, 25, 300, 25, b)).toBe(true);
    expect(segmentHitsBox(0, 60, 300, 60, b)).toBe(false);
    expect(segmentHitsBox(0, 60, 300, 60, b, 12)).toBe(true);
    expect(segmentHitsBox(0, 25, 90, 25, b)).toBe(false);
  });

  it("gives the skip edge a detour round render, and the others none", () => {
    const { edges } = toFlow(chain());
    const skip = edges.find((e) => e.source === "collect" && e.target === "publish")!.data as EdgeData;
    expect(skip.detourLeft).toBe(270);
    expect(skip.detourTop).toBe(0);
    for (const e of edges.filter((e) => e !== edges.find((x) => x.data === skip)))
      expect((e.data as EdgeData).detourTop).toBeUndefined();
  });

  it("draws the detour clear of the box, the label on the lane", () => {
    const d = { detourLeft: 270, detourTop: 0, detourRight: 470, detourBottom: 64 };
    const r = detourPath(200, 12.8, 540, 12.8, d)!;
    for (const [x, y] of pathPoints(r.path))
      expect(segmentHitsBox(x, y, x, y, { x: 270, y: 0, w: 200, h: 64 }), `${x},${y}`).toBe(false);
    expect(r.labelY).toBeLessThan(0); // above: nearer the two ends than below
    expect(r.labelX).toBeGreaterThan(270);
    expect(r.labelX).toBeLessThan(470);
    // A node dragged left of its source since: no detour, the plain curve again.
    expect(detourPath(540, 12, 200, 12, d)).toBeNull();
  });

  it("finds what is in the way among thousands of boxes through the grid", () => {
    const boxes = new Map<string, Box>();
    for (let i = 0; i < 5000; i += 1)
      boxes.set(`n${i}`, { x: (i % 100) * 260, y: Math.floor(i / 100) * 110, w: 200, h: 64 });
    const index = new BoxIndex(boxes);
    // n0 -> n2 passes n1; n0 -> n1 is clear; n0 -> n100 (the next row, to the left) is backward-free.
    expect(detourFor(index, boxes, "n0", "n2", "data_flow")?.detourLeft).toBe(260);
    expect(detourFor(index, boxes, "n0", "n1", "data_flow")).toBeNull();
  });
});
