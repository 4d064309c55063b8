// The debugger's client-side rules, free of React: which results go to the server, when a run
// pauses, and where pinned data lives. The server is stateless (plugin/routes/debug.py): it gets the
// draft and these results with every request and works out order, skips and inputs from them.
import type { DebugStepResult, NodeResult, Results } from "./api";

/** Pinned outputs (n8n-style): per user and workflow, in this browser's localStorage. Never part of
 * the spec, so they are never saved as a version nor deployed. */
export type Pins = Record<string, unknown>;

export function pinsKey(user: string, workflowId: string): string {
  return `airflow-canvas:debug-pins:${user}:${workflowId}`;
}

export function loadPins(storage: Pick<Storage, "getItem"> | undefined, key: string): Pins {
  try {
    const raw = storage?.getItem(key);
    const value: unknown = raw ? JSON.parse(raw) : {};
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Pins) : {};
  } catch {
    return {};
  }
}

export function savePins(
  storage: Pick<Storage, "setItem" | "removeItem"> | undefined,
  key: string,
  pins: Pins,
) {
  try {
    if (Object.keys(pins).length) storage?.setItem(key, JSON.stringify(pins));
    else storage?.removeItem(key);
  } catch {
    // A full or disabled storage only loses the pins of this browser.
  }
}

/** What the server gets: a pinned node counts as run with its pinned output (it is not re-run),
 * unless the session already has a result of its own for it (an edit made after pinning). Pins of
 * nodes no longer in the draft are dropped. */
export function resultsWithPins(results: Results, pins: Pins, nodeIds: ReadonlySet<string>): Results {
  const out: Results = {};
  for (const [id, output] of Object.entries(pins))
    if (nodeIds.has(id)) out[id] = { state: "success", output };
  for (const [id, r] of Object.entries(results)) if (nodeIds.has(id)) out[id] = r;
  return out;
}

export function resultOf(step: Pick<DebugStepResult, "state" | "output">): NodeResult {
  const state = step.state === "upstream_failed" ? "skipped" : step.state;
  return { state, output: step.output };
}

export type RunMode = { kind: "step" } | { kind: "continue" } | { kind: "to"; target: string };

/** Whether a run in ``mode`` stops before ``next``, having passed ``passed`` nodes (run or pinned)
 * since the button was pressed. It never stops before the node it was paused on (or Continue could
 * never leave a breakpoint); Step stops before the second node; Run to here stops before its target
 * and, like Continue, at any breakpoint on the way. */
export function pauseBefore(
  next: string,
  mode: RunMode,
  breakpoints: ReadonlySet<string>,
  passed: number,
): boolean {
  if (mode.kind === "step") return passed >= 1;
  if (mode.kind === "to" && next === mode.target) return true;
  return passed > 0 && breakpoints.has(next);
}

/** Parse edited JSON; an object is required for inputs. */
export function parseJson(text: string, wantObject: boolean): { value?: unknown; error?: string } {
  try {
    const value: unknown = JSON.parse(text);
    if (wantObject && (value === null || typeof value !== "object" || Array.isArray(value)))
      return { error: "Inputs must be a JSON object: {...}" };
    return { value };
  } catch (e) {
    return { error: `Not JSON: ${(e as Error).message}` };
  }
}

/** Results without the nodes downstream of ``nodeId`` (transitively), which ran on its old output:
 * after an edit they run again with the new data. ``upstream``: node id -> its upstream nodes. */
export function dropDownstream(
  results: Results,
  nodeId: string,
  upstream: Record<string, readonly string[]>,
): Results {
  const stale = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const [id, ups] of Object.entries(upstream))
      if (!stale.has(id) && ups.some((u) => u === nodeId || stale.has(u))) {
        stale.add(id);
        grew = true;
      }
  }
  return Object.fromEntries(Object.entries(results).filter(([id]) => !stale.has(id)));
}
