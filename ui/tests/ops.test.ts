import { describe, expect, it } from "vitest";
import { edgeKey, positionOf } from "../src/spec/types";
import * as ops from "../src/state/ops";
import { createHistory, commit, redo, undo } from "../src/state/history";
import { sample } from "./fixtures";

describe("spec operations", () => {
  it("adds nodes with unique ids and the type's defaults", () => {
    const a = ops.addNode(sample(), "process", { x: 10.4, y: 20.6 });
    expect(a.id).toBe("process");
    expect(a.wf.nodes.at(-1)).toMatchObject({
      id: "process",
      type: "process",
      process: { language: "jmespath" },
      ui: { position: { x: 10, y: 21 } },
    });
    const b = ops.addNode(a.wf, "process", { x: 0, y: 0 });
    expect(b.id).toBe("process_2");
    const t = ops.addNode(b.wf, "tool", { x: 0, y: 0 }, { tool: "http_get@1.0.0" });
    expect(t.id).toBe("http_get");
  });

  it("connects once per pair; connecting again changes the kind", () => {
    let wf = ops.connect(sample(), "ask", "done", "trigger");
    expect(wf.edges.filter((e) => e.source === "ask" && e.target === "done")).toHaveLength(1);
    wf = ops.connect(wf, "ask", "done", "dependency");
    expect(wf.edges.find((e) => e.source === "ask" && e.target === "done")?.kind).toBe("dependency");
    expect(ops.connect(wf, "ask", "ask", "data_flow")).toBe(wf);
  });

  it("removing a node removes its edges; removing a group keeps its members", () => {
    let wf = ops.removeElements(sample(), { nodes: ["fetch"] });
    expect(wf.nodes.map((n) => n.id)).not.toContain("fetch");
    expect(wf.edges.some((e) => e.source === "fetch" || e.target === "fetch")).toBe(false);
    wf = ops.removeElements(sample(), { groups: ["g1"] });
    expect(wf.groups).toHaveLength(0);
    expect(wf.nodes.find((n) => n.id === "think")?.group).toBeNull();
    wf = ops.removeElements(sample(), { edges: ["ask->fetch"] });
    expect(wf.edges.map(edgeKey)).not.toContain("ask->fetch");
  });

  it("groups a selection, nesting inside the common group", () => {
    const outer = ops.groupSelection(sample(), ["ask", "fetch"], [], "Load")!;
    expect(outer.wf.groups.at(-1)).toMatchObject({ id: "load", parent: null });
    expect(outer.wf.nodes.filter((n) => n.group === "load").map((n) => n.id)).toEqual(["ask", "fetch"]);
    const inner = ops.groupSelection(sample(), ["think"], [], "Inner")!;
    expect(inner.wf.groups.at(-1)).toMatchObject({ id: "inner", parent: "g1" });
    expect(inner.wf.nodes.find((n) => n.id === "think")?.group).toBe("inner");
    expect(inner.wf.nodes.find((n) => n.id === "shape")?.group).toBe("g1");
    const wrap = ops.groupSelection(sample(), ["done"], ["g1"], "Wrap")!;
    expect(wrap.wf.groups.find((g) => g.id === "g1")?.parent).toBe("wrap");
    expect(ops.groupSelection(sample(), [], [])).toBeNull();
  });

  it("toggles collapse and removes nested groups to the surviving parent", () => {
    const nested = ops.groupSelection(sample(), ["think"], [], "Inner")!.wf;
    expect(ops.toggleCollapse(nested, "g1").groups.find((g) => g.id === "g1")?.collapsed).toBe(true);
    const removed = ops.removeElements(nested, { groups: ["inner"] });
    expect(removed.nodes.find((n) => n.id === "think")?.group).toBe("g1");
  });

  it("renaming an id rewrites edges and fallbacks", () => {
    let wf = ops.updateNode(sample(), "shape", {
      execution: { on_error: "fallback", fallback_node: "fetch" },
    });
    wf = ops.renameNodeId(wf, "fetch", "Download Page");
    expect(wf.nodes.map((n) => n.id)).toContain("download_page");
    expect(wf.edges.map(edgeKey)).toContain("ask->download_page");
    expect(wf.nodes.find((n) => n.id === "shape")?.execution?.fallback_node).toBe("download_page");
    expect(ops.renameNodeId(wf, "ask", "done").nodes.map((n) => n.id)).toContain("done_2");
  });

  it("copies and pastes with fresh ids and internal edges only (across workflows)", () => {
    const payload = ops.copySelection(sample(), ["fetch", "think"]);
    expect(payload.edges.map(edgeKey)).toEqual(["fetch->think"]);
    const roundTrip = JSON.parse(JSON.stringify(payload));
    expect(ops.isClipboardPayload(roundTrip)).toBe(true);
    const same = ops.paste(sample(), roundTrip);
    expect(same.ids).toEqual(["fetch_2", "think_2"]);
    expect(same.wf.edges.map(edgeKey)).toContain("fetch_2->think_2");
    expect(same.wf.nodes.find((n) => n.id === "fetch_2")?.ui?.position).toEqual({ x: 340, y: 40 });
    const other = ops.paste({ id: "other", nodes: [], edges: [], groups: [] }, roundTrip);
    expect(other.ids).toEqual(["fetch", "think"]);
    expect(other.wf.nodes.find((n) => n.id === "think")?.group).toBeNull();
    expect(ops.isClipboardPayload({ kind: "x" })).toBe(false);
  });

  it("pastes where the user pasted: the copied nodes' top-left corner at that point, layout kept", () => {
    const payload = ops.copySelection(sample(), ["fetch", "think"]);
    const before = payload.nodes.map(positionOf);
    const r = ops.paste(sample(), payload, { x: 1000.4, y: 500 });
    const after = r.ids.map((id) => positionOf(r.wf.nodes.find((n) => n.id === id)!));
    expect(Math.min(...after.map((p) => p.x))).toBe(1000);
    expect(Math.min(...after.map((p) => p.y))).toBe(500);
    expect(after[1].x - after[0].x).toBe(before[1].x - before[0].x);
    expect(after[1].y - after[0].y).toBe(before[1].y - before[0].y);
  });

  it("every operation is undoable through the history", () => {
    let h = createHistory(sample());
    const steps = [
      (wf: ReturnType<typeof sample>) => ops.addNode(wf, "agent", { x: 1, y: 1 }).wf,
      (wf: ReturnType<typeof sample>) => ops.connect(wf, "agent", "done", "trigger"),
      (wf: ReturnType<typeof sample>) => ops.moveNodes(wf, { ask: { x: 50, y: 60 } }),
      (wf: ReturnType<typeof sample>) => ops.resizeNode(wf, "ask", { width: 300, height: 90 }),
      (wf: ReturnType<typeof sample>) => ops.groupSelection(wf, ["ask"], [], "G")!.wf,
      (wf: ReturnType<typeof sample>) => ops.updateEdge(wf, "ask->fetch", { label: "q", condition: "ok" }),
      (wf: ReturnType<typeof sample>) => ops.removeElements(wf, { nodes: ["done"] }),
    ];
    const snapshots = [h.present];
    for (const step of steps) {
      h = commit(h, step(h.present));
      snapshots.push(h.present);
    }
    for (let i = snapshots.length - 2; i >= 0; i -= 1) {
      h = undo(h);
      expect(h.present).toEqual(snapshots[i]);
    }
    for (let i = 1; i < snapshots.length; i += 1) {
      h = redo(h);
      expect(h.present).toEqual(snapshots[i]);
    }
  });
});
