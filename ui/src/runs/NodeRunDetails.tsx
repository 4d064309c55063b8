// A node's runs in its panel: the strip of its last runs, the shown run's figures (duration, tries,
// tokens, cost), its duration percentiles over recent runs, and what it received and returned in
// the shown run (the selected run, else the latest). Inputs and outputs are XComs: a user without
// Airflow's XCom read on the DAG sees the figures and a note instead.
import { useEffect, useState } from "react";
import { Api, ApiError } from "../api/client";
import { formatDuration } from "../state/status";
import { RunsApi, type RunHistory, type WorkflowMetrics } from "./api";
import { RunStrip } from "./RunStrip";
import { formatCost, formatTokens, stripsFrom } from "./runData";

interface Loaded {
  value?: unknown;
  error?: string;
  note?: string;
}

function show(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v, null, 2);
}

function xcomError(e: unknown): Loaded {
  const err = e as ApiError;
  if (err.status === 403) return { note: "Airflow does not let you read this DAG's XComs." };
  if (err.status === 404) return { note: err.message };
  return { error: err.message };
}

export function NodeRunDetails({
  workflowId,
  runId,
  nodeId,
}: {
  workflowId: string;
  runId: string | null;
  nodeId: string;
}) {
  const [history, setHistory] = useState<RunHistory | null>(null);
  const [metrics, setMetrics] = useState<WorkflowMetrics | null>(null);
  const [inputs, setInputs] = useState<Loaded | null>(null);
  const [output, setOutput] = useState<Loaded | null>(null);
  useEffect(() => {
    let stale = false;
    RunsApi.history(workflowId)
      .then((h) => !stale && setHistory(h))
      .catch(() => !stale && setHistory(null));
    RunsApi.metrics(workflowId)
      .then((m) => !stale && setMetrics(m))
      .catch(() => !stale && setMetrics(null));
    return () => {
      stale = true;
    };
  }, [workflowId, runId, nodeId]);

  const cells = history?.nodes[nodeId] ?? {};
  const shownRun = runId ?? history?.runs.find((r) => cells[r.run_id])?.run_id ?? null;
  const cell = shownRun ? cells[shownRun] : undefined;
  useEffect(() => {
    setInputs(null);
    setOutput(null);
    if (!shownRun || !cell) return;
    let stale = false;
    RunsApi.inputs(workflowId, shownRun, nodeId)
      .then((r) => !stale && setInputs({ value: r.truncated ? (r.preview ?? "") : r.value }))
      .catch((e) => !stale && setInputs(xcomError(e)));
    Api.output(workflowId, shownRun, nodeId)
      .then((r) => !stale && setOutput({ value: r }))
      .catch((e) => !stale && setOutput(xcomError(e)));
    return () => {
      stale = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- reload per node, run and that run's state (not per new cell object)
  }, [workflowId, shownRun, nodeId, cell?.state]);

  if (!history || !Object.keys(cells).length)
    return (
      <div className="cv-section" data-testid="node-runs">
        <h3>Runs of this node</h3>
        <p className="cv-help">No runs of this node yet.</p>
      </div>
    );
  const stats = metrics?.nodes[nodeId];
  return (
    <div className="cv-section" data-testid="node-runs">
      <h3>Runs of this node</h3>
      <RunStrip cells={stripsFrom(history, shownRun)[nodeId]} testId="node-runs-strip" height={18} />
      {cell && shownRun && (
        <div className="cv-kv" data-testid="node-runs-metrics" style={{ marginTop: 6 }}>
          <span>Run</span>
          <span title={shownRun}>
            {runId ? "selected" : "latest"}:{" "}
            <span className={`cv-badge state-${cell.state}`}>{cell.state}</span>
          </span>
          <span>Duration</span>
          <span data-testid="node-runs-duration">{formatDuration(cell.duration) || "—"}</span>
          <span>Tries</span>
          <span>{cell.tries}</span>
          {history.with_usage && (
            <>
              <span>Tokens</span>
              <span data-testid="node-runs-tokens">{formatTokens(cell.tokens) || "0"}</span>
              <span>Cost</span>
              <span data-testid="node-runs-cost">{formatCost(cell.cost) || "$0"}</span>
            </>
          )}
        </div>
      )}
      {stats && (
        <p className="cv-help" data-testid="node-runs-stats">
          Over {stats.runs} run{stats.runs === 1 ? "" : "s"}: p50{" "}
          {formatDuration(stats.duration_seconds.median)}, p90 {formatDuration(stats.duration_seconds.p90)},{" "}
          {stats.success} succeeded, {stats.tries.retried_runs} retried
          {stats.tokens.total ? `, ${formatTokens(stats.tokens.total)}` : ""}
          {stats.cost ? `, ${formatCost(stats.cost)}` : ""}
          {stats.tool_calls ? `, ${stats.tool_calls} tool calls` : ""}.
        </p>
      )}
      {cell && (
        <>
          <Payload label="Inputs" testId="node-runs-inputs" loaded={inputs} />
          <Payload label="Output" testId="node-runs-output" loaded={output} />
        </>
      )}
    </div>
  );
}

function Payload({ label, testId, loaded }: { label: string; testId: string; loaded: Loaded | null }) {
  return (
    <>
      <label style={{ fontWeight: 600, fontSize: 12 }}>{label}</label>
      {loaded?.error ? (
        <div className="cv-alert">{loaded.error}</div>
      ) : loaded?.note ? (
        <p className="cv-help" data-testid={`${testId}-note`}>
          {loaded.note}
        </p>
      ) : (
        <pre className="cv-code" data-testid={testId} style={{ maxHeight: 160, overflow: "auto" }}>
          {loaded === null ? "loading…" : show(loaded.value)}
        </pre>
      )}
    </>
  );
}
