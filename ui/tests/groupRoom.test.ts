import { describe, expect, it } from "vitest";
import { frameOf, makeRoomForGroup } from "../src/canvas/groupRoom";
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
