import { describe, expect, it } from "vitest";
import type { RunHistory } from "../src/runs/api";
import {
  formatBytes,
  formatCost,
  formatTokens,
  parseWaitDelays,
  stripsFrom,
  withUsage,
} from "../src/runs/runData";

const history: RunHistory = {
  workflow_id: "w",
  limit: 20,
  with_usage: true,
  runs: [
    { run_id: "r3", state: "running", start_date: null, end_date: null, duration: null, cost: 0 },
    { run_id: "r2", state: "failed", start_date: null, end_date: null, duration: 5, cost: 0.2 },
    { run_id: "r1", state: "success", start_date: null, end_date: null, duration: 4, cost: 0.1 },
  ],
  nodes: {
    a: {
      r1: { state: "success", duration: 1, tries: 1, map_count: null, tokens: 100, cost: 0.1 },
      r2: { state: "failed", duration: 2, tries: 2, map_count: null, tokens: 1500, cost: 0.2 },
    },
  },
};

describe("run strips", () => {
  it("lists a node's last runs oldest first, marking the selected one and the runs it missed", () => {
    const strip = stripsFrom(history, "r2").a;
    expect(strip.map((c) => [c.runId, c.state, c.selected])).toEqual([
      ["r1", "success", false],
      ["r2", "failed", true],
      ["r3", null, false],
    ]);
    expect(stripsFrom(history, null, 1).a.map((c) => c.runId)).toEqual(["r3"]);
    expect(stripsFrom(null, null)).toEqual({});
  });

  it("adds the shown run's tokens and cost to the node's run info only when the user may read them", () => {
    const info = { a: { state: "failed" as const, duration: 2 } };
    expect(withUsage(info, history, "r2").a).toMatchObject({ tokens: 1500, cost: 0.2 });
    expect(withUsage(info, { ...history, with_usage: false }, "r2")).toBe(info);
    expect(withUsage(info, history, null)).toBe(info);
  });
});

describe("figures", () => {
  it("formats tokens, cost and bytes compactly", () => {
    expect(formatTokens(1500)).toBe("1.5k tok");
    expect(formatTokens(0)).toBe("");
    expect(formatCost(0.00075)).toBe("$0.00075");
    expect(formatCost(1.5)).toBe("$1.50");
    expect(formatBytes(9)).toBe("9 B");
    expect(formatBytes(2048)).toBe("2.0 KB");
  });

  it("waits for the parse with doubling delays for about two minutes", () => {
    const delays = parseWaitDelays();
    expect(delays.slice(0, 5)).toEqual([1000, 2000, 4000, 8000, 15000]);
    const total = delays.reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(120_000);
    expect(total).toBeGreaterThan(100_000);
  });
});
