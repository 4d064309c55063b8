// Per-node run details (state, duration, tries, log link, output) and "run this node with mock data".
// Mock data: what the input box holds, else the node's input in the selected (or latest) run, else
// an input the server generates from the node's input schema (tools/sample.py): the box then shows
// the input used, to edit and run again. The report shows input, output, logs and timing.
import { useEffect, useState } from "react";
import { Api, ApiError, api } from "../api/client";
import type { components } from "../api/schema";
import type { SpecNode, Workflow } from "../spec/types";
import { formatDuration, type NodeRunInfo } from "../state/status";

export interface NodeRunProps {
  node: SpecNode;
  workflowId: string;
  spec: Workflow;
  runId: string | null;
  runInfo: Record<string, NodeRunInfo>;
  predicted: Record<string, number>;
  readOnly: boolean;
  /** Bumped by the context menu's "show output" / "run this node" to open those parts. */
  focus: { nodeId: string; what: "output" | "test"; nonce: number } | null;
}

/** What POST /nodes/test answers (tools/node_test.py). */
interface NodeTestReport {
  ok?: boolean;
  input_generated?: boolean;
  debug?: { resolved_inputs?: unknown; [key: string]: unknown } | null;
  output?: unknown;
  error?: { kind?: string; message?: string } | null;
  duration?: number;
  logs?: unknown[];
  stdout?: string;
  stderr?: string;
  validation?: { input?: unknown[]; output?: unknown[] };
  [key: string]: unknown;
}

function isReport(v: unknown): v is NodeTestReport {
  return typeof v === "object" && v !== null && "ok" in v && "output" in v;
}

type InputSource = "typed" | "run" | "generated";
const SOURCE_TEXT: Record<InputSource, string> = {
  typed: "your input",
  run: "the node's input in the last run",
  generated: "generated from the input schema",
};

/** The node's input in a real run (the canvas_inputs record its operator stores), or undefined. */
async function lastRunInput(workflowId: string, nodeId: string, runId: string | null): Promise<unknown> {
  const enc = encodeURIComponent;
  try {
    const run = runId ?? (await Api.runs(workflowId))[0]?.run_id;
    if (!run) return undefined;
    const got = await api<components["schemas"]["NodeInputs"]>(
      `/workflows/${enc(workflowId)}/runs/${enc(run)}/nodes/${enc(nodeId)}/inputs`,
    );
    // A mapped node received one item per instance, a truncated record only a preview: generate.
    if (got.truncated || got.mapped || got.value === null || typeof got.value !== "object") return undefined;
    return got.value;
  } catch {
    return undefined; // not deployed, never ran, inputs not recorded, not allowed: generate instead
  }
}

function pretty(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v, null, 2);
}

export function NodeRunSection({
  node,
  workflowId,
  spec,
  runId,
  runInfo,
  predicted,
  readOnly,
  focus,
}: NodeRunProps) {
  const info = runInfo[node.id];
  const [output, setOutput] = useState<{ value?: unknown; error?: string } | null>(null);
  // "" = nothing typed: the run's input or a generated one is used.
  const [testInput, setTestInput] = useState("");
  const [testResult, setTestResult] = useState<{
    value?: unknown;
    error?: string;
    busy?: boolean;
    source?: InputSource;
  } | null>(null);

  useEffect(() => setOutput(null), [node.id, runId]);
  useEffect(() => {
    setTestInput("");
    setTestResult(null);
  }, [node.id]);

  const loadOutput = async () => {
    if (!runId) return;
    setOutput({});
    try {
      setOutput({ value: await Api.output(workflowId, runId, node.id) });
    } catch (e) {
      setOutput({ error: (e as Error).message });
    }
  };

  const runTest = async () => {
    let input: unknown = null; // null: the server generates a sample from the input schema
    let source: InputSource = "generated";
    if (testInput.trim()) {
      try {
        input = JSON.parse(testInput);
        source = "typed";
      } catch (e) {
        setTestResult({ error: `Mock input is not valid JSON: ${(e as Error).message}` });
        return;
      }
    }
    setTestResult({ busy: true });
    if (source === "generated" && node.type !== "input") {
      const fromRun = await lastRunInput(workflowId, node.id, runId);
      if (fromRun !== undefined) [input, source] = [fromRun, "run"];
    }
    try {
      const report = await Api.testNode(spec, node.id, input, true);
      const used = (report as NodeTestReport).debug?.resolved_inputs;
      // The box shows the input used, so it can be edited and run again.
      if (source !== "typed" && used !== undefined) setTestInput(JSON.stringify(used, null, 2));
      setTestResult({ value: report, source });
    } catch (e) {
      const err = e as ApiError;
      setTestResult({
        error: err.status === 404 ? "Node tests are not available on this server." : err.message,
      });
    }
  };

  useEffect(() => {
    if (focus?.nodeId !== node.id) return;
    if (focus.what === "output") void loadOutput();
    else {
      // The context menu's "Run this node (mock data)" runs it, and shows where the report appears.
      document.querySelector<HTMLElement>('[data-testid="node-test-section"]')?.scrollIntoView?.();
      if (!readOnly) void runTest();
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- runs once per focus request (its nonce), not whenever the node or its output loader changes
  }, [focus?.nonce]);

  return (
    <>
      <div className="cv-section" data-testid="node-run-section">
        <h3>Run</h3>
        {info ? (
          <div className="cv-kv" data-testid="node-run-info">
            <span>State</span>
            <span>
              <span className={`cv-badge state-${info.state}`} data-testid="node-run-state">
                {info.state ?? "none"}
              </span>
            </span>
            <span>Duration</span>
            <span>{formatDuration(info.duration) || "—"}</span>
            <span>Tries</span>
            <span>{info.try_number ?? "—"}</span>
            {info.map_count ? (
              <>
                <span>Mapped</span>
                <span>{info.map_count} instances</span>
              </>
            ) : null}
            <span>Log</span>
            <span>
              {info.log_url ? (
                <a className="cv-link" href={info.log_url} target="_top" data-testid="node-log-link">
                  open task log in Airflow
                </a>
              ) : (
                "—"
              )}
            </span>
          </div>
        ) : (
          <p className="cv-help">
            {runId ? "This node has not run in the selected run." : "No run selected."}
          </p>
        )}
        {predicted[node.id] !== undefined && (
          <p className="cv-help">Predicted duration from past runs: ~{formatDuration(predicted[node.id])}</p>
        )}
        {runId && info && (
          <button className="cv-btn small" data-testid="node-output-button" onClick={loadOutput}>
            Show output
          </button>
        )}
        {output &&
          (output.error ? (
            <div className="cv-alert">{output.error}</div>
          ) : (
            <pre className="cv-code" data-testid="node-output-value">
              {output.value === undefined ? "loading…" : pretty(output.value)}
            </pre>
          ))}
      </div>
      {!readOnly && (
        <div className="cv-section" data-testid="node-test-section">
          <h3>Test this node with mock data</h3>
          <p className="cv-help">
            Runs this node alone in the sandbox. Leave the input empty to use the node&apos;s input in the
            last run, or one generated from its input schema; the input used appears here to edit.
          </p>
          <textarea
            className="cv-textarea"
            data-testid="node-test-input"
            value={testInput}
            placeholder="(empty: last run's input, else generated from the input schema)"
            spellCheck={false}
            onChange={(e) => setTestInput(e.target.value)}
            rows={Math.min(10, Math.max(3, testInput.split("\n").length))}
          />
          <div className="cv-row">
            <button
              className="cv-btn small"
              data-testid="node-test-run"
              disabled={testResult?.busy}
              onClick={runTest}
            >
              Run with mock data
            </button>
            {testInput.trim() && (
              <button
                className="cv-btn small"
                data-testid="node-test-clear"
                disabled={testResult?.busy}
                onClick={() => setTestInput("")}
                title="Use the last run's input or a generated one next time"
              >
                Clear input
              </button>
            )}
          </div>
          {testResult?.busy && (
            <span className="cv-help" data-testid="node-test-busy">
              {" "}
              running…
            </span>
          )}
          {testResult?.error && (
            <div className="cv-alert" data-testid="node-test-error">
              {testResult.error}
            </div>
          )}
          {testResult && !testResult.error && !testResult.busy && (
            <TestReport value={testResult.value} source={testResult.source} />
          )}
        </div>
      )}
    </>
  );
}

function TestReport({ value, source }: { value: unknown; source?: InputSource }) {
  if (!isReport(value))
    return (
      <pre className="cv-code" data-testid="node-test-result">
        {pretty(value)}
      </pre>
    );
  const outputProblems = value.validation?.output ?? [];
  const inputProblems = value.validation?.input ?? [];
  const state = value.error ? "failed" : value.ok ? "success" : "invalid";
  return (
    <div data-testid="node-test-report" data-ok={String(Boolean(value.ok))} style={{ marginTop: 6 }}>
      <div className="cv-row">
        <span
          className={`cv-badge state-${state === "invalid" ? "up_for_retry" : state}`}
          data-testid="node-test-state"
        >
          {state === "invalid" ? "output does not match the output schema" : state}
        </span>
        {value.duration !== undefined && (
          <span className="cv-help" data-testid="node-test-duration">
            {(value.duration * 1000).toFixed(1)} ms
          </span>
        )}
      </div>
      <label style={{ fontWeight: 600, fontSize: 12 }}>
        Input{" "}
        <span className="cv-help" data-testid="node-test-input-source">
          ({source ? SOURCE_TEXT[source] : value.input_generated ? SOURCE_TEXT.generated : "given"})
        </span>
      </label>
      <pre className="cv-code" data-testid="node-test-used-input">
        {pretty(value.debug?.resolved_inputs ?? {})}
      </pre>
      {value.error && (
        <div className="cv-alert" data-testid="node-test-error">
          {value.error.message ?? pretty(value.error)}
        </div>
      )}
      {!value.error && (
        <>
          <label style={{ fontWeight: 600, fontSize: 12 }}>Output</label>
          <pre className="cv-code" data-testid="node-test-output">
            {pretty(value.output)}
          </pre>
        </>
      )}
      {[...inputProblems, ...outputProblems].map((p, i) => (
        <div key={i} className="cv-alert" data-testid="node-test-validation">
          {pretty(p)}
        </div>
      ))}
      {value.logs && value.logs.length > 0 ? (
        <>
          <label style={{ fontWeight: 600, fontSize: 12 }}>Logs</label>
          <pre className="cv-code" data-testid="node-test-logs">
            {value.logs.map((r) => logLine(r)).join("\n")}
          </pre>
        </>
      ) : null}
      {value.stderr ? (
        <>
          <label style={{ fontWeight: 600, fontSize: 12 }}>stderr</label>
          <pre className="cv-code" data-testid="node-test-stderr">
            {value.stderr}
          </pre>
        </>
      ) : null}
      {value.stdout ? (
        <>
          <label style={{ fontWeight: 600, fontSize: 12 }}>stdout</label>
          <pre className="cv-code" data-testid="node-test-stdout">
            {value.stdout}
          </pre>
        </>
      ) : null}
      <details>
        <summary className="cv-help">Full report (inputs, parameters, logs)</summary>
        <pre className="cv-code" data-testid="node-test-result">
          {pretty(value)}
        </pre>
      </details>
    </div>
  );
}

function logLine(record: unknown): string {
  if (typeof record !== "object" || record === null) return String(record);
  const r = record as { level?: string; logger?: string; message?: string };
  return `${r.level ?? ""} ${r.logger ?? ""}: ${r.message ?? JSON.stringify(record)}`.trim();
}
