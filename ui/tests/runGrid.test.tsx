import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { GRID_ROWS, RunGrid } from "../src/runs/RunGrid";
import type { RunHistory } from "../src/runs/api";
import type { SpecNode } from "../src/spec/types";

function history(n: number): { history: RunHistory; nodes: SpecNode[] } {
  const nodes = Array.from({ length: n }, (_, i) => ({ id: `n${i}`, type: "process" }) as SpecNode);
  const runs = ["r0", "r1"].map((run_id) => ({ run_id, state: "success", duration: 10, cost: null }));
  const cell = { state: "success", duration: 1, tries: 1, map_count: null, tokens: null, cost: null };
  return {
    nodes,
    history: {
      workflow_id: "wf",
      limit: 20,
      with_usage: false,
      runs,
      nodes: Object.fromEntries(nodes.map((x) => [x.id, { r0: cell, r1: cell }])),
    } as unknown as RunHistory,
  };
}

const cells = (html: string) => (html.match(/data-testid="run-grid-cell-/g) ?? []).length;

describe("run-history grid", () => {
  it("draws every node's row of a small workflow", () => {
    const { history: h, nodes } = history(30);
    const html = renderToStaticMarkup(<RunGrid history={h} nodes={nodes} selected="r0" onPick={() => {}} />);
    expect(cells(html)).toBe(60);
    expect(html).not.toContain("run-grid-all");
  });

  it("draws the first rows of a big workflow and offers the rest", () => {
    const { history: h, nodes } = history(5000);
    const html = renderToStaticMarkup(<RunGrid history={h} nodes={nodes} selected="r0" onPick={() => {}} />);
    expect(cells(html)).toBe(GRID_ROWS * 2);
    expect(html).toContain("Show all 5000 nodes (4800 more)");
  });
});
