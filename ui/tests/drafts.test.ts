import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  AUTOSAVE_MS,
  autosaveAction,
  debouncer,
  draftTime,
  shouldOffer,
  type Draft,
} from "../src/editor/drafts";
import { isHelpKey, isSaveKey } from "../src/editor/useEditorKeys";
import type { Workflow } from "../src/spec/types";

const wf = (name: string) => ({ id: "w", name, nodes: [], edges: [] }) as unknown as Workflow;
const draft = (spec: Workflow): Draft =>
  ({ workflow_id: "w", branch: "main", base_version: 1, updated_at: "2026-12-05T10:00:00Z", spec }) as Draft;

describe("debouncer (the draft's autosave)", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("delivers only the last value of a burst, AUTOSAVE_MS after the last edit", () => {
    const got: string[] = [];
    const d = debouncer<string>(AUTOSAVE_MS, (v) => got.push(v));
    d.schedule("a");
    vi.advanceTimersByTime(AUTOSAVE_MS - 100);
    d.schedule("b"); // a new edit restarts the wait
    vi.advanceTimersByTime(AUTOSAVE_MS - 100);
    expect(got).toEqual([]);
    expect(d.pending()).toBe(true);
    vi.advanceTimersByTime(100);
    expect(got).toEqual(["b"]);
    expect(d.pending()).toBe(false);
    vi.advanceTimersByTime(10 * AUTOSAVE_MS);
    expect(got).toEqual(["b"]);
  });

  it("flushes a pending value at once (leaving the page) and cancels", () => {
    const got: string[] = [];
    const d = debouncer<string>(AUTOSAVE_MS, (v) => got.push(v));
    expect(d.flush()).toBe(false);
    d.schedule("x");
    expect(d.flush()).toBe(true);
    expect(got).toEqual(["x"]);
    d.schedule("y");
    d.cancel();
    vi.advanceTimersByTime(2 * AUTOSAVE_MS);
    expect(got).toEqual(["x"]);
  });
});

describe("autosaveAction", () => {
  const base = { canEdit: true, dirty: true, showingOther: false, offerPending: false };
  it("writes only an editor's unsaved changes", () => {
    expect(autosaveAction(base, false)).toBe("save");
    expect(autosaveAction({ ...base, canEdit: false }, false)).toBe("none");
    expect(autosaveAction({ ...base, dirty: false }, false)).toBe("none");
  });
  it("never overwrites a draft still on offer, nor saves a diff or preview shown instead", () => {
    expect(autosaveAction({ ...base, offerPending: true }, true)).toBe("none");
    expect(autosaveAction({ ...base, showingOther: true }, true)).toBe("none");
  });
  it("deletes the stored draft when the edit is back to the saved state", () => {
    expect(autosaveAction({ ...base, dirty: false }, true)).toBe("discard");
  });
});

describe("shouldOffer", () => {
  it("offers a draft that differs from what was loaded, not one equal to it", () => {
    expect(shouldOffer(draft(wf("edited")), wf("saved"))).toBe(true);
    expect(shouldOffer(draft(wf("saved")), wf("saved"))).toBe(false);
    expect(shouldOffer(null, wf("saved"))).toBe(false);
    // Already on the canvas (a branch switch carried the edit along): nothing to offer.
    expect(shouldOffer(draft(wf("edited")), wf("saved"), wf("edited"))).toBe(false);
  });
});

describe("draftTime", () => {
  it("says the time today and the date otherwise", () => {
    const now = new Date("2026-12-05T12:00:00");
    expect(draftTime(new Date("2026-12-05T09:05:00").toISOString(), now)).not.toMatch(/Dec/);
    expect(draftTime(new Date("2026-12-01T09:05:00").toISOString(), now)).toMatch(/Dec/);
    expect(draftTime(null, now)).toBe("an earlier session");
  });
});

describe("shortcut keys", () => {
  const k = (key: string, mods: Partial<KeyboardEvent> = {}) => ({
    key,
    ctrlKey: false,
    metaKey: false,
    altKey: false,
    ...mods,
  });
  it("Ctrl+S and Cmd+S save, Ctrl+Alt+S (a letter on some layouts) does not", () => {
    expect(isSaveKey(k("s", { ctrlKey: true }))).toBe(true);
    expect(isSaveKey(k("S", { metaKey: true }))).toBe(true);
    expect(isSaveKey(k("s", { ctrlKey: true, altKey: true }))).toBe(false);
    expect(isSaveKey(k("s"))).toBe(false);
  });
  it('"?" opens the list; Ctrl+? does not', () => {
    expect(isHelpKey(k("?"))).toBe(true);
    expect(isHelpKey(k("?", { ctrlKey: true }))).toBe(false);
    expect(isHelpKey(k("/"))).toBe(false);
  });
});
