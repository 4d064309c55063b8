import { describe, expect, it } from "vitest";
import { frameOf, makeRoomForGroup, makeRoomForNode } from "../src/canvas/groupRoom";
import { boxOf, overlaps } from "../src/canvas/placement";
import type { Workflow } from "../src/spec/types";
import * as ops from "../src/state/ops";

function row(): Workflow {
  // a, b, c in a row 240 apart: a frame around a and b (20 px padding) reaches over c.
  return {
    id: "wf",
    name: "Row",
    nodes: [
      { id: "a", type: "input", ui: { position: { x: 0, y: 0 } } },
      { id: "b", type: "process", ui: { position: { x: 230, y: 0 } } },
      { id: "c", type: "output", ui: { position: { x: 445, y: 0 } } },
      { id: "d", type: "output", ui: { position: { x: 0, y: 400 } } },
    ],
    edges: [],
    groups: [],
  };
}

describe("a new group makes room", () => {
  it("moves a neighbour its frame covers clear of it, and leaves the rest", () => {
    const r = ops.groupSelection(row(), ["a", "b"], [], "G")!;
    const before = frameOf(r.wf, r.id)!;
    expect(overlaps(boxOf(r.wf.nodes[2]), before)).toBe(true); // the bug: c sits under the frame
    const wf = makeRoomForGroup(r.wf, r.id);
    const frame = frameOf(wf, r.id)!;
    for (const n of wf.nodes.filter((n) => n.group !== r.id))
      expect(overlaps(boxOf(n), frame), n.id).toBe(false);
    // The shortest push: c goes right, d (clear already) and the members stay.
    expect(wf.nodes.find((n) => n.id === "c")!.ui!.position!.y).toBe(0);
    expect(wf.nodes.find((n) => n.id === "d")).toBe(r.wf.nodes.find((n) => n.id === "d"));
    expect(wf.nodes.find((n) => n.id === "a")).toBe(r.wf.nodes.find((n) => n.id === "a"));
  });

  it("moves a sibling group whole, and uses measured sizes", () => {
    const base = row();
    base.groups = [{ id: "other", label: "Other" }];
    base.nodes[2].group = "other";
    const r = ops.groupSelection(base, ["a", "b"], [], "G")!;
    const sizes = { b: { width: 300, height: 64 } };
    const wf = makeRoomForGroup(r.wf, r.id, sizes);
    expect(overlaps(frameOf(wf, "other", sizes)!, frameOf(wf, r.id, sizes)!)).toBe(false);
  });

  it("changes nothing when the frame covers nobody", () => {
    const r = ops.groupSelection(row(), ["d"], [], "G")!;
    expect(makeRoomForGroup(r.wf, r.id)).toBe(r.wf);
  });
});

describe("a resized node makes room", () => {
  const at = (wf: Workflow, id: string) => wf.nodes.find((n) => n.id === id)!.ui!.position!;

  it("pushes the neighbour it now covers, and what that one lands on, clear", () => {
    // b grows to 500 wide: it covers c, and c pushed right by the shortest move would land on e.
    const base = row();
    base.nodes.push({ id: "e", type: "output", ui: { position: { x: 700, y: 0 } } });
    const grown = ops.resizeNode(base, "b", { width: 500, height: 64 });
    const wf = makeRoomForNode(grown, "b");
    const boxes = wf.nodes.map((n) => ({ id: n.id, box: boxOf(n) }));
    for (const a of boxes)
      for (const b of boxes) if (a.id < b.id) expect(overlaps(a.box, b.box), `${a.id} / ${b.id}`).toBe(false);
    expect(at(wf, "c").y).toBe(0); // pushed along the row, as the resize grew
    expect(at(wf, "b")).toEqual(at(grown, "b")); // the resized node itself stays
    expect(wf.nodes.find((n) => n.id === "d")).toBe(grown.nodes.find((n) => n.id === "d"));
  });

  it("ignores the node's old measured size and leaves a clear canvas alone", () => {
    const grown = ops.resizeNode(row(), "d", { width: 400, height: 100 });
    expect(makeRoomForNode(grown, "d", { d: { width: 200, height: 64 } })).toBe(grown);
    const wide = ops.resizeNode(row(), "a", { width: 300, height: 64 });
    // The stale measured 200 px would see no overlap with b at 230; the new 300 px does.
    const wf = makeRoomForNode(wide, "a", { a: { width: 200, height: 64 } });
    expect(overlaps(boxOf(wf.nodes[0]), boxOf(wf.nodes[1]))).toBe(false);
  });

  it("grows the group's frame and pushes a sibling group clear of it", () => {
    const base = row();
    base.groups = [
      { id: "left", label: "Left" },
      { id: "right", label: "Right" },
    ];
    base.nodes[0].group = "left";
    base.nodes[2].group = "right";
    base.nodes[2].ui = { position: { x: 360, y: 0 } };
    base.nodes.splice(1, 1); // b out of the way: left holds a, right holds c
    const grown = ops.resizeNode(base, "a", { width: 340, height: 64 });
    expect(overlaps(frameOf(grown, "left")!, frameOf(grown, "right")!)).toBe(true);
    const wf = makeRoomForNode(grown, "a");
    expect(overlaps(frameOf(wf, "left")!, frameOf(wf, "right")!)).toBe(false);
  });
});
