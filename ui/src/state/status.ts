// Run states as Airflow names them, reduced to what the canvas shows on a node or a group.

export type RunState =
  | "idle"
  | "scheduled"
  | "queued"
  | "running"
  | "success"
  | "failed"
  | "upstream_failed"
  | "skipped"
  | "up_for_retry"
  | "up_for_reschedule"
  | "deferred"
  | "removed"
  | "restarting"
  | "awaiting_input";

export interface NodeRunInfo {
  state: RunState | null;
  try_number?: number | null;
  duration?: number | null;
  start_date?: string | null;
  end_date?: string | null;
  log_url?: string | null;
  task_id?: string | null;
  map_count?: number | null;
}

export interface RunDetail {
  run_id: string;
  state: string;
  nodes: Record<string, NodeRunInfo>;
  [key: string]: unknown;
}

export const TERMINAL_RUN_STATES = new Set(["success", "failed"]);

// Worst first: a collapsed group shows the most urgent state among its members. This is Airflow's
// order for a TaskGroup, defined once on the server (airflow_canvas/spec/states.py STATE_PRIORITY,
// where "idle" is None); tests/unit/test_state_priority.py fails when this copy differs from it.
export const STATE_PRIORITY: RunState[] = [
  "failed",
  "upstream_failed",
  "up_for_retry",
  "up_for_reschedule",
  "running",
  "restarting",
  "deferred",
  "awaiting_input",
  "queued",
  "scheduled",
  "idle",
  "success",
  "skipped",
  "removed",
];

export function normaliseState(state: string | null | undefined): RunState {
  return state && (STATE_PRIORITY as string[]).includes(state) ? (state as RunState) : "idle";
}

export function aggregateState(states: (string | null | undefined)[]): RunState {
  const present = new Set(states.map(normaliseState));
  if (present.size === 0) return "idle";
  const worst = STATE_PRIORITY.find((s) => present.has(s)) ?? "idle";
  if (worst !== "idle") return worst;
  // Nothing active or failed but some members have no state yet: partly done is still "running";
  // otherwise the finished state present (skipped, removed), or "idle" when nothing has run.
  if (present.has("success")) return "running";
  return STATE_PRIORITY.find((s) => s !== "idle" && present.has(s)) ?? "idle";
}

/** CSS class suffix and legend label for a state. */
export function stateClass(state: string | null | undefined): string {
  const s = normaliseState(state);
  if (s === "upstream_failed") return "failed";
  if (s === "scheduled") return "queued";
  if (s === "up_for_reschedule" || s === "deferred" || s === "restarting" || s === "awaiting_input")
    return "running";
  return s;
}

export function isActive(state: string | null | undefined): boolean {
  return ["running", "queued", "scheduled", "up_for_retry", "deferred", "restarting"].includes(
    normaliseState(state),
  );
}

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return "";
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const m = Math.floor(seconds / 60);
  return `${m}m ${Math.round(seconds - m * 60)}s`;
}

/** Mean duration per node over past runs: the "predicted" time shown on nodes. */
export function predictDurations(runs: RunDetail[]): Record<string, number> {
  const sums: Record<string, [number, number]> = {};
  for (const run of runs) {
    for (const [id, info] of Object.entries(run.nodes ?? {})) {
      if (info.state !== "success" || typeof info.duration !== "number") continue;
      const [total, count] = sums[id] ?? [0, 0];
      sums[id] = [total + info.duration, count + 1];
    }
  }
  return Object.fromEntries(Object.entries(sums).map(([id, [t, c]]) => [id, t / c]));
}
