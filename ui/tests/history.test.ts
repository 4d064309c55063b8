import { describe, expect, it } from "vitest";
import {
  COALESCE_MS,
  HISTORY_LIMIT,
  canRedo,
  canUndo,
  commit,
  createHistory,
  redo,
  undo,
} from "../src/state/history";

describe("history", () => {
  it("undoes and redoes every commit in order", () => {
    let h = createHistory(0);
    h = commit(h, 1, null, 0);
    h = commit(h, 2, null, 10);
    expect(h.present).toBe(2);
    h = undo(h);
    expect(h.present).toBe(1);
    h = undo(h);
    expect(h.present).toBe(0);
    expect(canUndo(h)).toBe(false);
    expect(undo(h)).toBe(h);
    h = redo(h);
    h = redo(h);
    expect(h.present).toBe(2);
    expect(canRedo(h)).toBe(false);
  });

  it("a new commit after undo drops the redo branch", () => {
    let h = commit(commit(createHistory("a"), "b", null, 0), "c", null, 5);
    h = undo(h);
    h = commit(h, "d", null, 10);
    expect(h.present).toBe("d");
    expect(canRedo(h)).toBe(false);
    expect(undo(h).present).toBe("b");
  });

  it("coalesces bursts of the same field into one step, but not across fields or time", () => {
    let h = createHistory("");
    h = commit(h, "h", "name", 0);
    h = commit(h, "he", "name", 100);
    h = commit(h, "hey", "name", 200);
    expect(h.past).toEqual([""]);
    h = commit(h, "hey!", "label", 300);
    expect(h.past).toEqual(["", "hey"]);
    h = commit(h, "hey!!", "label", 300 + COALESCE_MS + 1);
    expect(h.past).toEqual(["", "hey", "hey!"]);
  });

  it("ignores a commit of the same object and caps the past", () => {
    const v = { a: 1 };
    const h = createHistory(v);
    expect(commit(h, v)).toBe(h);
    let big = createHistory(0);
    for (let i = 1; i <= HISTORY_LIMIT + 20; i += 1) big = commit(big, i, null, i * 10_000);
    expect(big.past.length).toBe(HISTORY_LIMIT);
    expect(big.past[0]).toBe(20);
  });
});
