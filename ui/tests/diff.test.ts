import { describe, expect, it } from "vitest";
import { toFlow } from "../src/canvas/toFlow";
import { diffWorkflows, fieldChanges, mergedForDiff, statusById } from "../src/state/diff";
import * as ops from "../src/state/ops";
import { sample } from "./fixtures";

describe("diff of two versions", () => {
  const before = sample();
  let after = ops.removeElements(before, { nodes: ["done"] });
  after = ops.addNode(after, "output", { x: 1200, y: 0 }, { id: "report" }).wf;
  after = ops.connect(after, "shape", "report", "data_flow");
  after = ops.updateNode(after, "fetch", { tool: "http_get@2.0.0", parameters: { url: "https://x" } });
  after = ops.moveNodes(after, { ask: { x: 999, y: 999 } });

  it("classifies nodes and edges and lists field changes", () => {
    const d = diffWorkflows(before, after);
    const nodes = statusById(d.nodes);
    expect(nodes).toMatchObject({
      done: "removed",
      report: "added",
      fetch: "changed",
      ask: "unchanged",
      think: "unchanged",
    });
    const fetch = d.nodes.find((n) => n.id === "fetch")!;
    expect(fetch.changes).toEqual([
      { path: "parameters.url", before: undefined, after: "https://x" },
      { path: "tool", before: "http_get@1.0.0", after: "http_get@2.0.0" },
    ]);
    const edges = statusById(d.edges);
    expect(edges["shape->done"]).toBe("removed");
    expect(edges["shape->report"]).toBe("added");
    expect(d.counts).toEqual({ added: 2, removed: 2, changed: 1 });
  });

  it("moving a node is not a change; empty and missing values are equal", () => {
    expect(fieldChanges({ ui: { position: { x: 1 } } }, { ui: { position: { x: 2 } } })).toEqual([]);
    expect(fieldChanges({ a: [] }, {})).toEqual([]);
    expect(fieldChanges({ a: null }, { a: "" })).toEqual([]);
    expect(fieldChanges({ kind: "data_flow" }, { kind: "trigger" })).toEqual([
      { path: "kind", before: "data_flow", after: "trigger" },
    ]);
  });

  it("renders the merged graph with diff classes on the canvas", () => {
    const d = diffWorkflows(before, after);
    const merged = mergedForDiff(d);
    const flow = toFlow(merged, {
      diff: { nodes: statusById(d.nodes), edges: statusById(d.edges), groups: statusById(d.groups) },
    });
    const byId = Object.fromEntries(flow.nodes.map((n) => [n.id, n]));
    expect(byId.done.data.diff).toBe("removed");
    expect(byId.report.data.diff).toBe("added");
    expect(byId.fetch.data.diff).toBe("changed");
    const edge = flow.edges.find((e) => e.id === "shape->done")!;
    expect(edge.className).toContain("diff-removed");
    expect(flow.edges.find((e) => e.id === "shape->report")!.className).toContain("diff-added");
  });
});
