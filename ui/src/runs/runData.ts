// Pure helpers of the run views: per-node strips of recent runs, a run's usage merged into the
// canvas's per-node run info, compact figures, and the backoff of the Run form's wait for the parse.
import type { NodeRunInfo } from "../state/status";
import type { GridCell, RunHistory } from "./api";

export const STRIP_RUNS = 8;

export interface StripCell {
  runId: string;
  state: string | null;
  duration: number | null;
  selected: boolean;
}

/** Node id -> its last ``n`` runs, oldest first (as Airflow's grid reads left to right). */
export function stripsFrom(
  history: RunHistory | null,
  selectedRun: string | null,
  n = STRIP_RUNS,
): Record<string, StripCell[]> {
  if (!history) return {};
  const recent = history.runs.slice(0, n).reverse();
  const out: Record<string, StripCell[]> = {};
  for (const [nodeId, cells] of Object.entries(history.nodes)) {
    out[nodeId] = recent.map((run) => {
      const cell = cells[run.run_id];
      return {
        runId: run.run_id,
        state: cell?.state ?? null,
        duration: cell?.duration ?? null,
        selected: run.run_id === selectedRun,
      };
    });
  }
  return out;
}

export interface NodeUsage {
  tokens?: number | null;
  cost?: number | null;
}

/** The selected run's tokens and cost per node (the grid's cells), beside the run's states. */
export function withUsage(
  runs: Record<string, NodeRunInfo>,
  history: RunHistory | null,
  runId: string | null,
): Record<string, NodeRunInfo & NodeUsage> {
  if (!history || !runId || !history.with_usage) return runs;
  const out: Record<string, NodeRunInfo & NodeUsage> = { ...runs };
  for (const [nodeId, info] of Object.entries(runs)) {
    const cell: GridCell | undefined = history.nodes[nodeId]?.[runId];
    if (cell) out[nodeId] = { ...info, tokens: cell.tokens, cost: cell.cost };
  }
  return out;
}

export function formatTokens(n: number | null | undefined): string {
  if (!n) return "";
  return n >= 1000 ? `${(n / 1000).toFixed(n >= 10000 ? 0 : 1)}k tok` : `${n} tok`;
}

export function formatCost(usd: number | null | undefined): string {
  if (usd === null || usd === undefined || usd === 0) return "";
  if (usd < 0.01) return `$${usd.toPrecision(2)}`;
  return `$${usd.toFixed(2)}`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Delays (ms) between the Run form's checks for a DAG Airflow has not parsed yet: doubling from
 * 1 s to at most 15 s, until ~2 minutes have passed. */
export function parseWaitDelays(totalMs = 120_000, firstMs = 1000, maxMs = 15_000): number[] {
  const delays: number[] = [];
  let next = firstMs;
  let sum = 0;
  while (sum + next <= totalMs) {
    delays.push(next);
    sum += next;
    next = Math.min(next * 2, maxMs);
  }
  return delays;
}
