// Loads what the run views show beside the runs the editor polls (state/hooks.ts useRuns): the
// runs x nodes history (strips, grid, tokens and cost per node), the selected run's data on edges,
// and the prediction of the next run. A view the user may not read (403: no XCom access) is left
// empty rather than reported: the canvas still shows states and durations.
import { useEffect, useMemo, useState } from "react";
import type { RunsState } from "../state/hooks";
import type { NodeRunInfo } from "../state/status";
import { RunsApi, type EdgeFlow, type Prediction, type RunHistory } from "./api";
import { stripsFrom, withUsage, type NodeUsage, type StripCell } from "./runData";

export interface RunViews {
  history: RunHistory | null;
  strips: Record<string, StripCell[]>;
  edges: Record<string, EdgeFlow>;
  prediction: Prediction | null;
  runInfo: Record<string, NodeRunInfo & NodeUsage>;
}

export function useRunViews(
  workflowId: string | null,
  runs: RunsState,
  runInfo: Record<string, NodeRunInfo>,
): RunViews {
  const [history, setHistory] = useState<RunHistory | null>(null);
  const [prediction, setPrediction] = useState<Prediction | null>(null);
  const [edges, setEdges] = useState<Record<string, EdgeFlow>>({});
  // The list's runs and states, and the selected run's state: a change means new figures.
  const listKey = runs.runs.map((r) => `${r.run_id}:${r.state}`).join("|") + `|${runs.detail?.state ?? ""}`;
  useEffect(() => {
    if (!workflowId) return;
    let stale = false;
    RunsApi.history(workflowId)
      .then((h) => !stale && setHistory(h))
      .catch(() => !stale && setHistory(null));
    RunsApi.metrics(workflowId)
      .then((m) => !stale && setPrediction(m.prediction ?? null))
      .catch(() => !stale && setPrediction(null));
    return () => {
      stale = true;
    };
  }, [workflowId, listKey]);

  const runId = runs.runId;
  const runState = runs.detail?.run_id === runId ? runs.detail?.state : undefined;
  const doneNodes = Object.values(runInfo).filter((n) => n.state === "success").length;
  useEffect(() => {
    setEdges({});
    if (!workflowId || !runId) return;
    let stale = false;
    RunsApi.edges(workflowId, runId)
      .then((e) => !stale && setEdges(e))
      .catch(() => !stale && setEdges({}));
    return () => {
      stale = true;
    };
  }, [workflowId, runId, runState, doneNodes]);

  const strips = useMemo(() => stripsFrom(history, runId), [history, runId]);
  const merged = useMemo(() => withUsage(runInfo, history, runId), [runInfo, history, runId]);
  return { history, strips, edges, prediction, runInfo: merged };
}
