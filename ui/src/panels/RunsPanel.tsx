// Trigger a run (with a Params form from the input node's schema), pick a past run to view.
import { useEffect, useState } from "react";
import { Api, ApiError } from "../api/client";
import { SchemaForm } from "../forms/SchemaForm";
import { fieldsFromSchema, initialValues, validateValues } from "../forms/schema";
import type { JsonSchema, Workflow } from "../spec/types";
import type { RunsState } from "../state/hooks";
import { Modal } from "../ui/Modal";
import { RunsApi, type Prediction } from "../runs/api";
import { PredictionLine } from "../runs/PredictionLine";
import { RunGrid } from "../runs/RunGrid";
import { parseWaitDelays } from "../runs/runData";
import type { RunViews } from "../runs/useRunViews";
import type { SpecNode } from "../spec/types";

/** The trigger form's schema: every input node's params schema, merged (they become DAG params). */
export function paramsSchema(wf: Workflow): JsonSchema {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const n of wf.nodes.filter((x) => x.type === "input")) {
    Object.assign(properties, (n.input_schema?.properties ?? {}) as Record<string, unknown>);
    required.push(...((n.input_schema?.required as string[] | undefined) ?? []));
  }
  return { type: "object", properties, required };
}

export function TriggerDialog({
  wf,
  onTrigger,
  onClose,
}: {
  wf: Workflow;
  onTrigger: (p: Record<string, unknown>) => Promise<void>;
  onClose: () => void;
}) {
  const schema = paramsSchema(wf);
  const fields = fieldsFromSchema(schema);
  const [values, setValues] = useState<Record<string, unknown>>(() => initialValues(fields));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Airflow creates DAGs paused; a run of a paused DAG would wait forever, so offer to unpause it.
  const [paused, setPaused] = useState<boolean | null>(null);
  const [unpause, setUnpause] = useState(true);
  const [dagMissing, setDagMissing] = useState(false);
  const [gaveUp, setGaveUp] = useState(false);
  const [prediction, setPrediction] = useState<Prediction | null>(null);
  // Right after a deploy Airflow has not parsed the DAG yet (404): ask again, backing off, for about
  // two minutes; the form opens by itself once the DAG is there.
  useEffect(() => {
    const delays = parseWaitDelays();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const check = (attempt: number) => {
      Api.dagPaused(wf.id)
        .then((p) => {
          if (stopped) return;
          setDagMissing(false);
          setPaused(p);
        })
        .catch((e: ApiError) => {
          if (stopped) return;
          setDagMissing(e.status === 404);
          if (e.status !== 404) return;
          if (attempt < delays.length) timer = setTimeout(() => check(attempt + 1), delays[attempt]);
          else setGaveUp(true);
        });
    };
    check(0);
    RunsApi.metrics(wf.id)
      .then((m) => !stopped && setPrediction(m.prediction ?? null))
      .catch(() => undefined);
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [wf.id]);
  const invalid = validateValues(fields, values);
  return (
    <Modal title={`Trigger ${wf.name || wf.id}`} onClose={onClose} testId="trigger-dialog">
      {fields.length ? (
        <SchemaForm schema={schema} value={values} onChange={(v) => setValues(v)} testId="param" />
      ) : (
        <p className="cv-help">This workflow takes no params.</p>
      )}
      {paused && (
        <label className="cv-row" style={{ marginTop: 8 }}>
          <input
            type="checkbox"
            data-testid="trigger-unpause"
            checked={unpause}
            onChange={(e) => setUnpause(e.target.checked)}
          />
          The DAG is paused in Airflow: unpause it so the run starts
        </label>
      )}
      {dagMissing && (
        <p className="cv-help" data-testid="trigger-no-dag">
          {gaveUp
            ? "Airflow has not parsed this workflow's DAG after two minutes: is it deployed, and is the DAG processor running?"
            : "Waiting for Airflow to parse this workflow's DAG… the form opens by itself."}
        </p>
      )}
      <PredictionLine prediction={prediction} testId="trigger-prediction" />
      {error && (
        <div className="cv-alert" data-testid="trigger-error">
          {error}
        </div>
      )}
      <div className="cv-actions">
        <button className="cv-btn" onClick={onClose}>
          Cancel
        </button>
        <button
          className="cv-btn primary"
          data-testid="trigger-confirm"
          disabled={busy || dagMissing || Object.keys(invalid).length > 0}
          onClick={async () => {
            setBusy(true);
            try {
              if (paused && unpause) await Api.unpauseDag(wf.id);
              await onTrigger(values);
              onClose();
            } catch (e) {
              setError((e as Error).message);
              setBusy(false);
            }
          }}
        >
          Trigger
        </button>
      </div>
    </Modal>
  );
}

export function RunsPanel({
  runs,
  views,
  nodes,
  deployed,
  onTriggerClick,
  readOnly,
}: {
  runs: RunsState;
  views?: RunViews;
  nodes?: SpecNode[];
  deployed: boolean;
  onTriggerClick: () => void;
  readOnly: boolean;
}) {
  return (
    <div data-testid="runs-panel">
      <div className="cv-row" style={{ marginBottom: 8 }}>
        {!readOnly && (
          <button
            className="cv-btn primary"
            data-testid="trigger-button"
            onClick={onTriggerClick}
            disabled={!deployed}
            title={deployed ? "" : "Deploy the workflow first"}
          >
            Trigger run
          </button>
        )}
        <button className="cv-btn" onClick={() => void runs.refresh()}>
          Refresh
        </button>
        {runs.runId && (
          <button className="cv-btn" data-testid="run-clear" onClick={() => runs.select(null)}>
            Hide run
          </button>
        )}
      </div>
      {runs.error && <div className="cv-alert">{runs.error}</div>}
      {views && <PredictionLine prediction={views.prediction} />}
      {views && (
        <RunGrid history={views.history} nodes={nodes ?? []} selected={runs.runId} onPick={runs.select} />
      )}
      {runs.detail && (
        <p>
          Showing run <code>{runs.detail.run_id}</code>:{" "}
          <span className={`cv-badge state-${runs.detail.state}`} data-testid="run-state">
            {runs.detail.state}
          </span>
        </p>
      )}
      <table className="cv-table">
        <thead>
          <tr>
            <th>Run</th>
            <th>State</th>
            <th>Started</th>
          </tr>
        </thead>
        <tbody>
          {runs.runs.map((r) => (
            <tr
              key={r.run_id}
              data-testid={`run-row-${r.run_id}`}
              style={{ fontWeight: r.run_id === runs.runId ? 700 : 400 }}
            >
              <td>
                <button className="cv-link" onClick={() => runs.select(r.run_id)}>
                  {r.run_id}
                </button>
              </td>
              <td>
                <span className={`cv-badge state-${r.state}`}>
                  {r.run_id === runs.detail?.run_id ? runs.detail.state : r.state}
                </span>
              </td>
              <td>{r.start_date ? new Date(r.start_date).toLocaleString() : ""}</td>
            </tr>
          ))}
          {runs.runs.length === 0 && (
            <tr>
              <td colSpan={3} className="cv-help">
                No runs yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
