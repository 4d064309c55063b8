import { describe, expect, it } from "vitest";
import { debugRunInfo } from "../src/debug/runInfo";
import {
  dropDownstream,
  loadPins,
  parseJson,
  pauseBefore,
  pinsKey,
  resultOf,
  resultsWithPins,
  savePins,
} from "../src/debug/session";
import type { DebugSession, DebugStepResult } from "../src/debug/api";

function memoryStorage() {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    removeItem: (k: string) => void data.delete(k),
  };
}

describe("pauseBefore", () => {
  const bps = new Set(["c"]);
  it("step runs exactly one node", () => {
    expect(pauseBefore("a", { kind: "step" }, bps, 0)).toBe(false);
    expect(pauseBefore("b", { kind: "step" }, bps, 1)).toBe(true);
  });
  it("continue stops at a breakpoint, but leaves the one it is paused on", () => {
    expect(pauseBefore("b", { kind: "continue" }, bps, 1)).toBe(false);
    expect(pauseBefore("c", { kind: "continue" }, bps, 2)).toBe(true);
    expect(pauseBefore("c", { kind: "continue" }, bps, 0)).toBe(false);
  });
  it("run to here stops before its target and at breakpoints on the way", () => {
    expect(pauseBefore("d", { kind: "to", target: "d" }, new Set(), 3)).toBe(true);
    expect(pauseBefore("c", { kind: "to", target: "d" }, bps, 1)).toBe(true);
    expect(pauseBefore("b", { kind: "to", target: "d" }, bps, 1)).toBe(false);
  });
});

describe("pinned data", () => {
  it("is stored per user and workflow, and dropped when empty", () => {
    const s = memoryStorage();
    const key = pinsKey("alice", "wf1");
    expect(key).not.toBe(pinsKey("bob", "wf1"));
    savePins(s, key, { a: { x: 1 } });
    expect(loadPins(s, key)).toEqual({ a: { x: 1 } });
    savePins(s, key, {});
    expect(s.data.has(key)).toBe(false);
    s.setItem(key, "not json");
    expect(loadPins(s, key)).toEqual({});
  });
  it("counts as a successful result unless the session has its own", () => {
    const ids = new Set(["a", "b"]);
    const merged = resultsWithPins({ b: { state: "failed", output: null } }, { a: 1, b: 2, gone: 3 }, ids);
    expect(merged).toEqual({ a: { state: "success", output: 1 }, b: { state: "failed", output: null } });
  });
});

describe("editing", () => {
  it("drops what ran after an edited node, transitively", () => {
    const upstream = { a: [], b: ["a"], c: ["b"], d: [] };
    const results = {
      a: resultOf({ state: "success", output: 1 }),
      b: resultOf({ state: "success", output: 2 }),
    };
    const withC = { ...results, c: resultOf({ state: "upstream_failed", output: null }), d: results.a };
    expect(Object.keys(dropDownstream(withC, "a", upstream)).sort()).toEqual(["a", "d"]);
    expect(withC.c.state).toBe("skipped");
  });
  it("accepts only a JSON object as inputs", () => {
    expect(parseJson('{"x": 1}', true)).toEqual({ value: { x: 1 } });
    expect(parseJson("[1]", true).error).toMatch(/object/);
    expect(parseJson("{x", false).error).toMatch(/Not JSON/);
    expect(parseJson("3", false)).toEqual({ value: 3 });
  });
});

it("shows the session's states on the canvas as run states", () => {
  const node = (state: string) => ({ state, upstream: [], group_chain: [], runnable: true, mapped: false });
  const view = {
    order: ["a", "b", "c", "d"],
    nodes: { a: node("success"), b: node("skipped"), c: node("ready"), d: node("pending") },
    next: "c",
    next_input: {},
    finished: false,
  } as unknown as DebugSession;
  const reports = { a: { duration: 0.5 } as DebugStepResult };
  expect(debugRunInfo(view, reports, {}, null)).toEqual({
    a: { state: "success", duration: 0.5 },
    b: { state: "skipped", duration: null },
  });
  expect(debugRunInfo(view, reports, {}, "c").c).toEqual({ state: "running" });
});
