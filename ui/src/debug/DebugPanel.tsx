// The debugger's dock panel: step / continue / restart / exit, the paused node's inputs (editable
// before it runs), the inspected node's inputs, output (editable, pinnable) and logs, and the order
// of the run with each node's state and a breakpoint toggle.
import { useEffect, useState } from "react";
import { formatDuration } from "../state/status";
import type { Debugger } from "./useDebugger";
import { parseJson } from "./session";
import { ensureDebugStyles } from "./styles";

const pretty = (v: unknown) => (v === undefined ? "" : JSON.stringify(v, null, 2));

export function DebugPanel({ dbg, inspect }: { dbg: Debugger; inspect: string | null }) {
  ensureDebugStyles();
  const v = dbg.view;
  const shown = inspect ?? dbg.paused ?? null;
  const inputProblem = dbg.nextInputEdited ? parseJson(dbg.nextInput, true).error : undefined;
  const canRun = !dbg.busy && Boolean(v?.next) && !inputProblem;
  // F10 steps and F8 continues, as in browser devtools; unambiguous even with the cursor in a field.
  const { run } = dbg;
  useEffect(() => {
    if (!canRun) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "F10" && e.key !== "F8") return;
      e.preventDefault();
      void run({ kind: e.key === "F10" ? "step" : "continue" });
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [canRun, run]);
  const status = dbg.running
    ? `Running ${dbg.running}…`
    : dbg.paused
      ? `Paused before ${dbg.paused}`
      : v?.finished
        ? "Finished: every node ran or was skipped"
        : v
          ? "Stopped: nothing is ready to run"
          : "Starting…";
  return (
    <div className="cv-debug" data-testid="debug-panel">
      <p className="cv-muted">
        Runs the draft as it is in the editor, in the sandbox. Nothing is saved or deployed.
      </p>
      <div className="cv-debug-controls">
        <button
          className="cv-btn"
          data-testid="dbg-step"
          disabled={!canRun}
          onClick={() => void dbg.run({ kind: "step" })}
          title="Run the next node and pause (F10)"
        >
          Step
        </button>
        <button
          className="cv-btn primary"
          data-testid="dbg-continue"
          disabled={!canRun}
          onClick={() => void dbg.run({ kind: "continue" })}
          title="Run until the next breakpoint or the end (F8)"
        >
          Continue
        </button>
        <button className="cv-btn" data-testid="dbg-restart" disabled={dbg.busy} onClick={dbg.restart}>
          Restart
        </button>
        <button className="cv-btn" data-testid="dbg-exit" onClick={dbg.exit}>
          Exit debug
        </button>
      </div>
      <div className="cv-debug-status" data-testid="dbg-status">
        {status}
      </div>
      {dbg.error && (
        <div className="cv-alert" data-testid="dbg-error">
          {dbg.error}
        </div>
      )}
      {dbg.paused && (
        <section data-testid="dbg-next">
          <h4>
            Input of {dbg.paused}
            {dbg.nextInputEdited && <span className="cv-badge">edited</span>}
          </h4>
          <textarea
            className="cv-debug-json"
            data-testid="dbg-next-input"
            spellCheck={false}
            value={dbg.nextInput}
            onChange={(e) => dbg.setNextInput(e.target.value)}
            rows={Math.min(14, Math.max(4, dbg.nextInput.split("\n").length + 1))}
          />
          {inputProblem && <div className="cv-field-error">{inputProblem}</div>}
        </section>
      )}
      {shown && <NodeReport dbg={dbg} id={shown} />}
      {v && (
        <section>
          <h4>Order</h4>
          <ol className="cv-debug-order" data-testid="dbg-order">
            {v.order.map((id) => {
              const n = v.nodes[id];
              const pinned = id in dbg.pins;
              return (
                <li
                  key={id}
                  data-testid={`dbg-row-${id}`}
                  data-state={n.state}
                  className={id === dbg.paused ? "current" : ""}
                >
                  <label title="Breakpoint: pause before this node">
                    <input
                      type="checkbox"
                      data-testid={`dbg-bp-toggle-${id}`}
                      checked={dbg.breakpoints.has(id)}
                      onChange={() => dbg.toggleBreakpoint(id)}
                    />
                  </label>
                  <span className="cv-debug-id">{id}</span>
                  <span className={`cv-badge state-${n.state}`}>{pinned ? "pinned" : n.state}</span>
                  {dbg.reports[id] && (
                    <span className="cv-muted">{formatDuration(dbg.reports[id].duration)}</span>
                  )}
                </li>
              );
            })}
          </ol>
        </section>
      )}
    </div>
  );
}

function NodeReport({ dbg, id }: { dbg: Debugger; id: string }) {
  const report = dbg.reports[id];
  const result = dbg.results[id];
  const pinned = id in dbg.pins;
  const output = result ? result.output : pinned ? dbg.pins[id] : undefined;
  const [text, setText] = useState(pretty(output));
  useEffect(() => setText(pretty(output)), [output]);
  const problem = text.trim() ? parseJson(text, false).error : undefined;
  const hasOutput = result !== undefined || pinned;
  if (!report && !hasOutput) return null;
  return (
    <section data-testid="dbg-node" data-node={id}>
      <h4>
        {id}{" "}
        <span className="cv-badge" data-testid="dbg-node-state">
          {pinned && !report ? "pinned" : (report?.state ?? result?.state)}
        </span>
        {report && <span className="cv-muted"> {formatDuration(report.duration)}</span>}
      </h4>
      {report?.error && (
        <div className="cv-alert" data-testid="dbg-node-error">
          {report.error.kind}: {report.error.message}
        </div>
      )}
      {report && (
        <>
          <div className="cv-muted">Input</div>
          <pre className="cv-debug-json" data-testid="dbg-node-input">
            {pretty(report.input)}
          </pre>
        </>
      )}
      {report?.branches && (
        <div className="cv-muted" data-testid="dbg-branches">
          Branches:{" "}
          {Object.entries(report.branches)
            .map(([t, on]) => `${t} ${on ? "runs" : "skipped"}`)
            .join(", ")}
        </div>
      )}
      <div className="cv-muted">Output {pinned && "(pinned: not re-run)"}</div>
      <textarea
        className="cv-debug-json"
        data-testid="dbg-output"
        spellCheck={false}
        value={text}
        onChange={(e) => setText(e.target.value)}
        rows={Math.min(14, Math.max(3, text.split("\n").length + 1))}
      />
      {problem && <div className="cv-field-error">{problem}</div>}
      <div className="cv-debug-controls">
        <button
          className="cv-btn"
          data-testid="dbg-apply-output"
          disabled={dbg.busy || Boolean(problem) || text === pretty(output)}
          onClick={() => dbg.editOutput(id, JSON.parse(text))}
          title="Continue with this output; the nodes after it run again"
        >
          Use edited output
        </button>
        {pinned ? (
          <button className="cv-btn" data-testid="dbg-unpin" onClick={() => dbg.unpin(id)}>
            Unpin
          </button>
        ) : (
          <button
            className="cv-btn"
            data-testid="dbg-pin"
            disabled={!hasOutput}
            onClick={() => dbg.pin(id)}
            title="Keep this output: the node is not re-run while pinned (only in this browser, never deployed)"
          >
            Pin output
          </button>
        )}
      </div>
      {report && (report.logs.length > 0 || report.stdout || report.stderr) && (
        <details>
          <summary>Logs</summary>
          <pre className="cv-debug-json" data-testid="dbg-logs">
            {report.logs.map((l) => `${String(l.level ?? "")} ${String(l.message ?? "")}`).join("\n")}
            {report.stdout}
            {report.stderr}
          </pre>
        </details>
      )}
    </section>
  );
}
