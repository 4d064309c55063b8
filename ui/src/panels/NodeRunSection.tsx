// Per-node run details (state, duration, tries, log link, output) and "run this node with mock data".
import { useEffect, useState } from "react";
import { Api, ApiError } from "../api/client";
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
  const [testInput, setTestInput] = useState("{}");
  const [testResult, setTestResult] = useState<{ value?: unknown; error?: string; busy?: boolean } | null>(
    null,
  );

  useEffect(() => setOutput(null), [node.id, runId]);

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
    let input: unknown;
    try {
      input = JSON.parse(testInput || "{}");
    } catch (e) {
      setTestResult({ error: `Mock input is not valid JSON: ${(e as Error).message}` });
      return;
    }
    setTestResult({ busy: true });
    try {
      setTestResult({ value: await Api.testNode(spec, node.id, input, true) });
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
    else document.querySelector<HTMLElement>('[data-testid="node-test-input"]')?.focus();
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
        <div className="cv-section">
          <h3>Test this node with mock data</h3>
          <textarea
            className="cv-textarea"
            data-testid="node-test-input"
            value={testInput}
            onChange={(e) => setTestInput(e.target.value)}
            rows={3}
          />
          <button
            className="cv-btn small"
            data-testid="node-test-run"
            disabled={testResult?.busy}
            onClick={runTest}
          >
            Run node (debug)
          </button>
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
          {testResult && !testResult.error && !testResult.busy && <TestReport value={testResult.value} />}
        </div>
      )}
    </>
  );
}

function TestReport({ value }: { value: unknown }) {
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
          <span className="cv-help">{(value.duration * 1000).toFixed(1)} ms</span>
        )}
      </div>
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
