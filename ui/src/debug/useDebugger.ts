// The debugger's state: breakpoints, pinned outputs, the session's results and each node's report,
// and the step / continue / run-to-here loop. Every request carries the draft as it is in the editor
// (unsaved) and the results so far; the server runs one node per step in its sandbox.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { ApiError } from "../api/client";
import type { Workflow } from "../spec/types";
import { DebugApi, type DebugSession, type DebugStepResult, type Results } from "./api";
import {
  dropDownstream,
  loadPins,
  pauseBefore,
  pinsKey,
  resultOf,
  resultsWithPins,
  savePins,
  type Pins,
  type RunMode,
} from "./session";

export interface Debugger {
  active: boolean;
  start: () => void;
  exit: () => void;
  restart: () => void;
  view: DebugSession | null;
  /** The node the session is paused before (the next to run), if any. */
  paused: string | null;
  running: string | null;
  busy: boolean;
  error: string | null;
  breakpoints: ReadonlySet<string>;
  toggleBreakpoint: (id: string) => void;
  pins: Pins;
  pin: (id: string) => void;
  unpin: (id: string) => void;
  results: Results;
  reports: Record<string, DebugStepResult>;
  /** The paused node's inputs as JSON text (editable before it runs). */
  nextInput: string;
  nextInputEdited: boolean;
  setNextInput: (text: string) => void;
  editOutput: (id: string, output: unknown) => void;
  run: (mode: RunMode) => Promise<void>;
}

const storage = (): Storage | undefined => (typeof window !== "undefined" ? window.localStorage : undefined);

export function useDebugger(workflowId: string, wf: Workflow | null, user: string): Debugger {
  const [active, setActive] = useState(false);
  const [view, setView] = useState<DebugSession | null>(null);
  const [running, setRunning] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [breakpoints, setBreakpoints] = useState<ReadonlySet<string>>(new Set());
  const key = pinsKey(user, workflowId);
  const [pins, setPins] = useState<Pins>(() => loadPins(storage(), key));
  const [results, setResults] = useState<Results>({});
  const [reports, setReports] = useState<Record<string, DebugStepResult>>({});
  const [nextInput, setNextInputText] = useState("");
  const [nextInputEdited, setNextInputEdited] = useState(false);
  // The loop reads the latest values without re-creating itself on every change.
  const latest = useRef({ wf, results, pins, breakpoints, nextInput, nextInputEdited, view });
  latest.current = { wf, results, pins, breakpoints, nextInput, nextInputEdited, view };

  useEffect(() => setPins(loadPins(storage(), key)), [key]);
  useEffect(() => savePins(storage(), key, pins), [key, pins]);

  const nodeIds = useMemo(() => new Set((wf?.nodes ?? []).map((n) => n.id)), [wf]);
  const refresh = useCallback(
    async (res: Results) => {
      const spec = latest.current.wf;
      if (!spec) return null;
      const v = await DebugApi.session(workflowId, spec, resultsWithPins(res, latest.current.pins, nodeIds));
      setView(v);
      setNextInputText(v.next_input ? JSON.stringify(v.next_input, null, 2) : "");
      setNextInputEdited(false);
      return v;
    },
    [workflowId, nodeIds],
  );
  const guarded = useCallback(async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError(e instanceof ApiError ? e.detail : String(e));
    } finally {
      setBusy(false);
      setRunning(null);
    }
  }, []);

  const start = useCallback(() => {
    setActive(true);
    setResults({});
    setReports({});
    void guarded(async () => void (await refresh({})));
  }, [guarded, refresh]);
  const restart = start;
  const exit = useCallback(() => {
    setActive(false);
    setView(null);
    setResults({});
    setReports({});
    setError(null);
  }, []);

  const run = useCallback(
    (mode: RunMode) =>
      guarded(async () => {
        let res = latest.current.results;
        let passed = 0;
        let v = latest.current.view ?? (await refresh(res));
        while (v && v.next) {
          const next = v.next;
          if (pauseBefore(next, mode, latest.current.breakpoints, passed)) break;
          let input: Record<string, unknown> | null = null;
          if (passed === 0 && latest.current.nextInputEdited) {
            input = JSON.parse(latest.current.nextInput) as Record<string, unknown>;
          }
          setRunning(next);
          const spec = latest.current.wf;
          if (!spec) return;
          const report = await DebugApi.step(
            workflowId,
            spec,
            next,
            resultsWithPins(res, latest.current.pins, nodeIds),
            input,
          );
          res = { ...res, [next]: resultOf(report) };
          setResults(res);
          setReports((r) => ({ ...r, [next]: report }));
          passed += 1;
          v = await refresh(res);
          if (report.state === "failed") {
            setError(`${next} failed: ${report.error?.message ?? "see its report"}`);
            break;
          }
        }
      }),
    [guarded, refresh, workflowId, nodeIds],
  );

  const upstream = useMemo(
    () => Object.fromEntries(Object.entries(view?.nodes ?? {}).map(([id, n]) => [id, n.upstream])),
    [view],
  );
  const editOutput = useCallback(
    (id: string, output: unknown) => {
      // The nodes after it ran on the old output: they run again, on the edited one.
      const res = {
        ...dropDownstream(latest.current.results, id, upstream),
        [id]: { state: "success" as const, output },
      };
      setResults(res);
      setPins((p) => (id in p ? { ...p, [id]: output } : p));
      void guarded(async () => void (await refresh(res)));
    },
    [upstream, guarded, refresh],
  );
  const pin = useCallback(
    (id: string) => {
      const output = latest.current.results[id]?.output ?? reports[id]?.output;
      setPins((p) => ({ ...p, [id]: output ?? null }));
    },
    [reports],
  );
  const unpin = useCallback((id: string) => {
    setPins((p) => Object.fromEntries(Object.entries(p).filter(([k]) => k !== id)));
  }, []);
  // A change of pins changes what the server sees as run: show the session it makes.
  const pinCount = Object.keys(pins).length;
  useEffect(() => {
    if (active) void guarded(async () => void (await refresh(latest.current.results)));
  }, [pinCount, active, guarded, refresh]);

  const toggleBreakpoint = useCallback((id: string) => {
    setBreakpoints((b) => {
      const next = new Set(b);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }, []);
  const setNextInput = useCallback((text: string) => {
    setNextInputText(text);
    setNextInputEdited(true);
  }, []);

  return {
    active,
    start,
    exit,
    restart,
    view,
    paused: active && !running ? (view?.next ?? null) : null,
    running,
    busy,
    error,
    breakpoints,
    toggleBreakpoint,
    pins,
    pin,
    unpin,
    results,
    reports,
    nextInput,
    nextInputEdited,
    setNextInput,
    editOutput,
    run,
  };
}
