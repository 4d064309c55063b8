import { describe, expect, it } from "vitest";
import { applyLayout, positionsFrom, toElkGraph } from "../src/canvas/layout";
import { reconcileNodes } from "../src/canvas/reconcile";
import { GROUP_HEADER, GROUP_PAD, toFlow } from "../src/canvas/toFlow";
import * as ops from "../src/state/ops";
import { aggregateState, predictDurations, stateClass, type RunDetail } from "../src/state/status";
import { sample } from "./fixtures";

describe("spec -> React Flow", () => {
  it("puts groups before their members with relative positions", () => {
    const { nodes, edges } = toFlow(sample());
    const ids = nodes.map((n) => n.id);
    expect(ids.indexOf("group:g1")).toBeLessThan(ids.indexOf("think"));
    const group = nodes.find((n) => n.id === "group:g1")!;
    expect(group.position).toEqual({ x: 600 - GROUP_PAD, y: 0 - GROUP_PAD - GROUP_HEADER });
    const think = nodes.find((n) => n.id === "think")!;
    expect(think.parentId).toBe("group:g1");
    expect(think.position).toEqual({ x: GROUP_PAD, y: GROUP_PAD + GROUP_HEADER });
    expect(edges.find((e) => e.id === "think->shape")).toMatchObject({
      sourceHandle: "out-dependency",
      targetHandle: "in-dependency",
    });
    expect(edges.find((e) => e.id === "think->shape")!.className).toContain("k-dependency");
  });

  it("lists the handles each node's edges attach to (all a far-zoomed node draws)", () => {
    const { nodes } = toFlow(sample());
    const used = (id: string) =>
      (nodes.find((n) => n.id === id)!.data as { usedHandles: string }).usedHandles;
    expect(used("think")).toBe("in-data_flow out-dependency");
    expect(used("shape")).toBe("in-dependency out-data_flow");
    // Stable as a string, so re-deriving an unchanged workflow keeps node data equal.
    expect(used("think")).toBe(
      (toFlow(sample()).nodes.find((n) => n.id === "think")!.data as { usedHandles: string }).usedHandles,
    );
  });

  it("a collapsed group hides members, reroutes edges and aggregates their state", () => {
    const wf = ops.toggleCollapse(sample(), "g1");
    const runs = {
      think: { state: "success" as const },
      shape: { state: "running" as const },
      fetch: { state: "success" as const },
    };
    const { nodes, edges } = toFlow(wf, { runs, runActive: true });
    expect(nodes.map((n) => n.id)).not.toContain("think");
    const group = nodes.find((n) => n.id === "group:g1")!;
    expect(group.data).toMatchObject({ collapsed: true, memberCount: 2, state: "running" });
    expect(edges.map((e) => [e.source, e.target])).toEqual([
      ["ask", "fetch"],
      ["fetch", "group:g1"],
      ["group:g1", "done"],
    ]);
    expect(edges.find((e) => e.source === "fetch")!.id).toMatch(/^agg:/);
  });

  it("animates edges into running nodes and marks problems", () => {
    const runs = { ask: { state: "success" as const }, fetch: { state: "running" as const } };
    const problems = [
      { code: "E_X", message: "bad", pointer: "/nodes/1", node_id: "fetch", severity: "error" as const },
    ];
    const { nodes, edges } = toFlow(sample(), { runs, problems, runActive: true });
    expect(edges.find((e) => e.id === "ask->fetch")!.animated).toBe(true);
    expect(edges.find((e) => e.id === "fetch->think")!.animated).toBe(false);
    expect((nodes.find((n) => n.id === "fetch")!.data as { problems: unknown[] }).problems).toHaveLength(1);
  });

  it("reconciling keeps unchanged node objects (memoized nodes do not re-render)", () => {
    const base = sample();
    const first = toFlow(base).nodes.map((n) => ({ ...n, measured: { width: 180, height: 60 } }));
    const moved = toFlow(ops.moveNodes(base, { ask: { x: 5, y: 5 } })).nodes;
    const next = reconcileNodes(first, moved);
    expect(next.find((n) => n.id === "fetch")).toBe(first.find((n) => n.id === "fetch"));
    const ask = next.find((n) => n.id === "ask")!;
    expect(ask).not.toBe(first.find((n) => n.id === "ask"));
    expect(ask.measured).toEqual({ width: 180, height: 60 });
  });

  it("renders 1000 nodes quickly", () => {
    const wf = {
      id: "big",
      nodes: [] as ReturnType<typeof sample>["nodes"],
      edges: [] as ReturnType<typeof sample>["edges"],
      groups: [],
    };
    for (let i = 0; i < 1000; i += 1) {
      wf.nodes.push({
        id: `n${i}`,
        type: "process",
        group: null,
        ui: { position: { x: (i % 40) * 250, y: Math.floor(i / 40) * 100 } },
      });
      if (i) wf.edges.push({ source: `n${i - 1}`, target: `n${i}` });
    }
    const t = performance.now();
    const { nodes, edges } = toFlow(wf);
    expect(performance.now() - t).toBeLessThan(200);
    expect(nodes).toHaveLength(1000);
    expect(edges).toHaveLength(999);
  });
});

describe("ELK layout model", () => {
  it("builds a compound graph; collapsed groups are leaves and members follow them", () => {
    const wf = ops.toggleCollapse(sample(), "g1");
    const graph = toElkGraph(wf);
    expect(graph.children!.map((c) => c.id).sort()).toEqual(["ask", "done", "fetch", "group:g1"]);
    expect(graph.edges!.map((e) => e.id)).toEqual(["ask->fetch", "fetch->group:g1", "group:g1->done"]);
    const positions = applyLayout(wf, {
      ask: { x: 0, y: 0 },
      fetch: { x: 100, y: 0 },
      "group:g1": { x: 1000, y: 500 },
      done: { x: 2000, y: 0 },
    });
    expect(positions.think).toEqual({ x: 1000 + GROUP_PAD, y: 500 + GROUP_PAD + GROUP_HEADER });
    expect(positions.shape).toEqual({ x: 1000 + GROUP_PAD, y: 500 + GROUP_PAD + GROUP_HEADER + 150 });
  });

  it("an expanded group contains its members; positions are made absolute", () => {
    const graph = toElkGraph(sample());
    const group = graph.children!.find((c) => c.id === "group:g1")!;
    expect(group.children!.map((c) => c.id)).toEqual(["think", "shape"]);
    const abs = positionsFrom({
      id: "root",
      children: [{ id: "group:g1", x: 100, y: 50, children: [{ id: "think", x: 10, y: 20 }] }],
    });
    expect(abs.think).toEqual({ x: 110, y: 70 });
  });
});

describe("run states", () => {
  it("aggregates the most urgent state and predicts durations", () => {
    expect(aggregateState(["success", "failed", "running"])).toBe("failed");
    expect(aggregateState(["success", "success"])).toBe("success");
    expect(aggregateState(["success", null])).toBe("running");
    expect(aggregateState([])).toBe("idle");
    expect(aggregateState(["skipped", null])).toBe("skipped");
    expect(aggregateState(["restarting", "running"])).toBe("running");
    expect(stateClass("awaiting_input")).toBe("running");
    expect(stateClass("upstream_failed")).toBe("failed");
    const runs = [
      {
        run_id: "1",
        state: "success",
        nodes: {
          a: { state: "success" as const, duration: 2 },
          b: { state: "failed" as const, duration: 9 },
        },
      },
      { run_id: "2", state: "success", nodes: { a: { state: "success" as const, duration: 4 } } },
    ] as RunDetail[];
    expect(predictDurations(runs)).toEqual({ a: 3 });
  });
});
