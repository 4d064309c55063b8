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

function pretty(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v, null, 2);
}

export function NodeRunSection({ node, workflowId, spec, runId, runInfo, predicted, readOnly, focus }: NodeRunProps) {
  const info = runInfo[node.id];
  const [output, setOutput] = useState<{ value?: unknown; error?: string } | null>(null);
  const [testInput, setTestInput] = useState("{}");
  const [testResult, setTestResult] = useState<{ value?: unknown; error?: string; busy?: boolean } | null>(null);

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
      setTestResult({ error: err.status === 404 ? "Node tests are not available on this server." : err.message });
    }
  };

  useEffect(() => {
    if (focus?.nodeId !== node.id) return;
    if (focus.what === "output") void loadOutput();
    else document.querySelector<HTMLElement>('[data-testid="node-test-input"]')?.focus();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [focus?.nonce]);

  return (
    <>
      <div className="cv-section" data-testid="node-run-section">
        <h3>Run</h3>
        {info ? (
          <div className="cv-kv" data-testid="node-run-info">
            <span>State</span><span><span className={`cv-badge state-${info.state}`} data-testid="node-run-state">{info.state ?? "none"}</span></span>
            <span>Duration</span><span>{formatDuration(info.duration) || "—"}</span>
            <span>Tries</span><span>{info.try_number ?? "—"}</span>
            {info.map_count ? <><span>Mapped</span><span>{info.map_count} instances</span></> : null}
            <span>Log</span><span>{info.log_url ? <a className="cv-link" href={info.log_url} target="_top" data-testid="node-log-link">open task log in Airflow</a> : "—"}</span>
          </div>
        ) : (
          <p className="cv-help">{runId ? "This node has not run in the selected run." : "No run selected."}</p>
        )}
        {predicted[node.id] !== undefined && <p className="cv-help">Predicted duration from past runs: ~{formatDuration(predicted[node.id])}</p>}
        {runId && info && (
          <button className="cv-btn small" data-testid="node-output-button" onClick={loadOutput}>Show output</button>
        )}
        {output && (
          output.error ? <div className="cv-alert">{output.error}</div>
            : <pre className="cv-code" data-testid="node-output-value">{output.value === undefined ? "loading…" : pretty(output.value)}</pre>
        )}
      </div>
      {!readOnly && (
        <div className="cv-section">
          <h3>Test this node with mock data</h3>
          <textarea className="cv-textarea" data-testid="node-test-input" value={testInput} onChange={(e) => setTestInput(e.target.value)} rows={3} />
          <button className="cv-btn small" data-testid="node-test-run" disabled={testResult?.busy} onClick={runTest}>Run node (debug)</button>
          {testResult?.error && <div className="cv-alert" data-testid="node-test-error">{testResult.error}</div>}
          {testResult && !testResult.error && !testResult.busy && <pre className="cv-code" data-testid="node-test-result">{pretty(testResult.value)}</pre>}
        </div>
      )}
    </>
  );
}
