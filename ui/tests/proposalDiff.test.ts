import { describe, expect, it } from "vitest";
import { previewGraph } from "../src/copilot/Diagram";
import { placedProposal, proposalDiff, statusIn } from "../src/copilot/proposalDiff";
import type { Proposal, ServerDiff } from "../src/copilot/types";
import type { Workflow } from "../src/spec/types";
import { diffWorkflows } from "../src/state/diff";
import { sample } from "./fixtures";

// The proposal's spec as the server sends it: the same workflow with every default spelled out
// (what made "Preview on canvas" mark every node as changed).
function serverForm(wf: Workflow): Workflow {
  return {
    ...wf,
    nodes: wf.nodes.map((n) => ({
      ...n,
      name: n.name ?? "",
      description: "",
      parameters: {},
      execution: { retry: null, timeout_seconds: null },
      ui: { ...n.ui, collapsed: false },
    })),
    edges: wf.edges.map((e) => ({ ...e, label: e.label ?? "" })),
    groups: wf.groups.map((g) => ({ ...g, collapsed: false })),
  };
}

const EMPTY = { added: [], removed: [], changed: {} };

function proposal(workflow: Workflow, diff: Partial<ServerDiff>): Proposal {
  return {
    id: "p1",
    summary: "change",
    ops: [],
    changes: [],
    warnings: [],
    workflow,
    diff: { nodes: EMPTY, edges: EMPTY, groups: EMPTY, workflow: [], ...diff },
  };
}

function marked(d: ReturnType<typeof proposalDiff>): string[] {
  return [...d.nodes, ...d.edges, ...d.groups]
    .filter((x) => x.status !== "unchanged")
    .map((x) => `${x.status}:${x.id}`);
}

describe("proposal preview marks", () => {
  it("marks only the one node a one-field change touches, not the whole graph", () => {
    const current = sample();
    const after = serverForm(current);
    after.nodes = after.nodes.map((n) =>
      n.id === "think" ? { ...n, execution: { ...n.execution, retry: { retries: 3 } } } : n,
    );
    // The old way: a field-by-field comparison of the two serialisations marks everything.
    expect(marked(diffWorkflows(current, after)).length).toBeGreaterThan(1);
    const p = proposal(after, {
      nodes: { added: [], removed: [], changed: { think: ["execution.retry.retries"] } },
    });
    const d = proposalDiff(current, placedProposal(current, p)!, p.diff);
    expect(marked(d)).toEqual(["changed:think"]);
    // Unchanged elements are the editor's own objects: the canvas draws them as before.
    expect(d.nodes.find((n) => n.id === "ask")!.element).toBe(current.nodes[0]);
    // The chat's mini diagram uses the same marks.
    const { overlays } = previewGraph(d);
    expect(Object.entries(overlays.diff!.nodes).filter(([, s]) => s !== "unchanged")).toEqual([
      ["think", "changed"],
    ]);
  });

  it("marks added, removed and changed nodes, edges and groups apart", () => {
    const current = sample();
    const after = serverForm(current);
    after.nodes = [...after.nodes.filter((n) => n.id !== "shape"), { id: "clean", type: "process" }];
    after.edges = [
      ...after.edges.filter((e) => e.target !== "shape" && e.source !== "shape"),
      { source: "think", target: "clean", kind: "data_flow" },
      { source: "clean", target: "done", kind: "data_flow" },
    ];
    after.groups = after.groups.map((g) => ({ ...g, label: "Thinking" }));
    const p = proposal(after, {
      nodes: { added: ["clean"], removed: ["shape"], changed: {} },
      edges: {
        added: ["think->clean", "clean->done"],
        removed: ["think->shape", "shape->done"],
        changed: {},
      },
      groups: { added: [], removed: [], changed: { g1: ["label"] } },
    });
    const d = proposalDiff(current, placedProposal(current, p)!, p.diff);
    expect(marked(d).sort()).toEqual(
      [
        "added:clean",
        "removed:shape",
        "added:think->clean",
        "added:clean->done",
        "removed:think->shape",
        "removed:shape->done",
        "changed:g1",
      ].sort(),
    );
    expect(d.counts).toEqual({ added: 3, removed: 3, changed: 1 });
  });

  it("does not mark a node the proposal only moves, but draws it where it goes", () => {
    const current = sample();
    const after = serverForm(current);
    after.nodes = after.nodes.map((n) =>
      n.id === "done" ? { ...n, ui: { position: { x: 1200, y: 0 } } } : n,
    );
    const p = proposal(after, { nodes: { added: [], removed: [], changed: { done: ["ui.position.x"] } } });
    const d = proposalDiff(current, placedProposal(current, p)!, p.diff);
    expect(marked(d)).toEqual([]);
    expect(d.nodes.find((n) => n.id === "done")!.element.ui?.position).toEqual({ x: 1200, y: 0 });
    expect(statusIn(p.diff.nodes, "done")).toBe("unchanged");
  });

  it("places a proposal's new node next to its upstream node, clear of the others", () => {
    const current = sample();
    const after = serverForm(current);
    after.nodes = [...after.nodes, { id: "clean", type: "process" }]; // no position: the origin
    after.edges = [...after.edges, { source: "fetch", target: "clean", kind: "data_flow" }];
    const p = proposal(after, { nodes: { added: ["clean"], removed: [], changed: {} } });
    const placed = placedProposal(current, p)!;
    const clean = placed.nodes.find((n) => n.id === "clean")!.ui!.position!;
    // Right of `fetch` (x 300) are `think` and `shape` (x 600): the nearest free slot in that column.
    expect(clean.x).toBe(300 + 200 + 80);
    expect(clean.y).not.toBe(0);
    expect(Math.abs(clean.y ?? 0)).toBeLessThanOrEqual(2 * (64 + 40));
    expect(proposalDiff(current, placed, p.diff).nodes.find((n) => n.id === "clean")!.status).toBe("added");
  });
});

describe("the Co-pilot page's diff of saved and draft", () => {
  it("sees no change in key order or in spec_version spelled out on one side only", () => {
    const saved = { ...sample(), spec_version: 1, tools: [{ name: "t", tests: [{ name: "a", input: {} }] }] };
    const draft = { ...sample(), tools: [{ tests: [{ input: {}, name: "a" }], name: "t" }] } as Workflow;
    const d = diffWorkflows(saved as Workflow, draft);
    expect(d.workflow).toEqual([]);
    expect(d.counts).toEqual({ added: 0, removed: 0, changed: 0 });
  });
});
