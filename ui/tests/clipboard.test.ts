import { describe, expect, it } from "vitest";
import { frameOf } from "../src/canvas/groupRoom";
import { boxOf, overlaps } from "../src/canvas/placement";
import { placePasted } from "../src/editor/clipboard";
import { positionOf, type Workflow } from "../src/spec/types";
import * as ops from "../src/state/ops";

function wf(): Workflow {
  return {
    id: "wf",
    name: "Paste",
    nodes: [
      { id: "a", type: "input", ui: { position: { x: 0, y: 0 } } },
      { id: "b", type: "process", ui: { position: { x: 300, y: 0 } } },
      { id: "c", type: "output", ui: { position: { x: 300, y: 120 } } },
    ],
    edges: [{ source: "a", target: "b", kind: "data_flow" }],
    groups: [],
  };
}

const pos = (w: Workflow, id: string) => positionOf(w.nodes.find((n) => n.id === id)!);

describe("pasted nodes avoid overlap", () => {
  it("moves the pasted block clear of every node and keeps its shape", () => {
    const base = wf();
    // a and b pasted with their top-left on b: they would cover b and c.
    const r = ops.paste(base, ops.copySelection(base, ["a", "b"]), { x: 310, y: 10 });
    const out = placePasted(r.wf, r.ids);
    const [a2, b2] = r.ids;
    for (const id of r.ids)
      for (const old of base.nodes)
        expect(overlaps(boxOf(out.nodes.find((n) => n.id === id)!), boxOf(old)), `${id} / ${old.id}`).toBe(
          false,
        );
    expect(pos(out, b2).x - pos(out, a2).x).toBe(300);
    expect(pos(out, b2).y - pos(out, a2).y).toBe(0);
    // The original nodes did not move.
    for (const n of base.nodes) expect(pos(out, n.id)).toEqual(pos(base, n.id));
  });

  it("keeps a free landing spot as it is", () => {
    const base = wf();
    const r = ops.paste(base, ops.copySelection(base, ["c"]), { x: 2000, y: 2000 });
    expect(placePasted(r.wf, r.ids)).toBe(r.wf);
  });

  it("treats another group's frame as taken, but not the pasted nodes' own group", () => {
    const base = wf();
    base.groups = [{ id: "g", label: "G" }];
    base.nodes[1].group = "g";
    base.nodes[2].group = "g";
    // A duplicate of a lands inside g's frame padding (x 280-520), clear of b and c themselves.
    const r = ops.paste(base, ops.copySelection(base, ["a"]), { x: 260, y: 70 });
    const out = placePasted(r.wf, r.ids);
    expect(overlaps(boxOf(out.nodes.find((n) => n.id === r.ids[0])!), frameOf(out, "g")!)).toBe(false);
    // A duplicate of b stays in g: g's frame is its own, only b and c are in the way.
    const d = ops.duplicateNodes(base, ["b"]);
    const out2 = placePasted(d.wf, d.ids);
    const dup = out2.nodes.find((n) => n.id === d.ids[0])!;
    expect(dup.group).toBe("g");
    for (const other of ["b", "c"])
      expect(overlaps(boxOf(dup), boxOf(out2.nodes.find((n) => n.id === other)!))).toBe(false);
  });
});
