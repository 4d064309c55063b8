// Hooks that talk to the API on behalf of the editor: live validation, live code, runs polling.
import { useCallback, useEffect, useRef, useState } from "react";
import { Api, ApiError, type RunSummary } from "../api/client";
import type { Problem, Workflow } from "../spec/types";
import { TERMINAL_RUN_STATES, predictDurations, type RunDetail } from "./status";

export const VALIDATE_DEBOUNCE_MS = 500;
export const POLL_MS = 1500;

export type CheckStatus = "idle" | "checking" | "valid" | "invalid" | "unavailable";

/** Debounced POST /validate on every change; the newest answer wins. */
export function useValidation(spec: Workflow | null): { problems: Problem[]; status: CheckStatus } {
  const [problems, setProblems] = useState<Problem[]>([]);
  const [status, setStatus] = useState<CheckStatus>("idle");
  useEffect(() => {
    if (!spec) return;
    const ctrl = new AbortController();
    setStatus("checking");
    const t = setTimeout(async () => {
      try {
        const r = await Api.validate(spec, ctrl.signal);
        setProblems(r.problems ?? []);
        setStatus(r.valid ? "valid" : "invalid");
      } catch (e) {
        if (ctrl.signal.aborted) return;
        const err = e as ApiError;
        // A 422 with problems is still an answer: the spec did not even parse.
        if (err.problems?.length) {
          setProblems(err.problems);
          setStatus("invalid");
        } else setStatus("unavailable");
      }
    }, VALIDATE_DEBOUNCE_MS);
    return () => {
      clearTimeout(t);
      ctrl.abort();
    };
  }, [spec]);
  return { problems, status };
}

export function useCompiled(
  spec: Workflow | null,
  active: boolean,
): { source: string | null; problems: Problem[]; error: string | null } {
  const [state, setState] = useState<{ source: string | null; problems: Problem[]; error: string | null }>({
    source: null,
    problems: [],
    error: null,
  });
  useEffect(() => {
    if (!spec || !active) return;
    const ctrl = new AbortController();
    const t = setTimeout(async () => {
      try {
        const r = await Api.compile(spec, ctrl.signal);
        setState((s) => ({ source: r.source ?? s.source, problems: r.problems ?? [], error: null }));
      } catch (e) {
        if (ctrl.signal.aborted) return;
        const err = e as ApiError;
        setState((s) => ({ source: s.source, problems: err.problems ?? [], error: err.message }));
      }
    }, VALIDATE_DEBOUNCE_MS);
    return () => {
      clearTimeout(t);
      ctrl.abort();
    };
  }, [spec, active]);
  return state;
}

export interface RunsState {
  runs: RunSummary[];
  runId: string | null;
  detail: RunDetail | null;
  predicted: Record<string, number>;
  error: string | null;
  select: (runId: string | null) => void;
  trigger: (params: Record<string, unknown>) => Promise<string>;
  refresh: () => Promise<void>;
}

export function useRuns(workflowId: string | null, enabled: boolean): RunsState {
  const [runs, setRuns] = useState<RunSummary[]>([]);
  const [runId, setRunId] = useState<string | null>(null);
  const [detail, setDetail] = useState<RunDetail | null>(null);
  const [predicted, setPredicted] = useState<Record<string, number>>({});
  const [error, setError] = useState<string | null>(null);
  const pollRef = useRef<ReturnType<typeof setTimeout> | null>(null);

  const refresh = useCallback(async () => {
    if (!workflowId) return;
    try {
      const list = await Api.runs(workflowId);
      setRuns(list);
      setError(null);
      // Predicted durations: mean of successful nodes over the last few finished runs.
      const finished = list.filter((r) => TERMINAL_RUN_STATES.has(r.state)).slice(0, 5);
      const details = await Promise.all(finished.map((r) => Api.run(workflowId, r.run_id).catch(() => null)));
      setPredicted(predictDurations(details.filter((d): d is RunDetail => d !== null)));
    } catch (e) {
      setError((e as Error).message);
    }
  }, [workflowId]);

  useEffect(() => {
    if (enabled) void refresh();
  }, [enabled, refresh]);

  useEffect(() => {
    if (!workflowId || !runId) {
      setDetail(null);
      return;
    }
    let stopped = false;
    const poll = async () => {
      try {
        const d = await Api.run(workflowId, runId);
        if (stopped) return;
        setDetail(d);
        if (!TERMINAL_RUN_STATES.has(d.state)) pollRef.current = setTimeout(poll, POLL_MS);
        else void refresh();
      } catch (e) {
        if (stopped) return;
        setError((e as Error).message);
        pollRef.current = setTimeout(poll, POLL_MS * 2);
      }
    };
    void poll();
    return () => {
      stopped = true;
      if (pollRef.current) clearTimeout(pollRef.current);
    };
  }, [workflowId, runId, refresh]);

  const trigger = useCallback(
    async (params: Record<string, unknown>) => {
      if (!workflowId) throw new Error("no workflow");
      const r = await Api.trigger(workflowId, params);
      setRunId(r.run_id);
      void refresh();
      return r.run_id;
    },
    [workflowId, refresh],
  );

  return { runs, runId, detail, predicted, error, select: setRunId, trigger, refresh };
}
