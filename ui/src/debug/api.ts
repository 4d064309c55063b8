// The debugger's API calls (plugin/routes/debug.py and rerun.py); types from the OpenAPI document.
import { api } from "../api/client";
import type { components } from "../api/schema";
import type { Workflow } from "../spec/types";

type Schemas = components["schemas"];
export type DebugSession = Schemas["DebugSession"];
export type DebugStepResult = Schemas["DebugStepResult"];
export type ClearedRun = Schemas["ClearedRun"];
/** What the client sends for each node the session has passed: its state and output. */
export interface NodeResult {
  state: "success" | "failed" | "skipped";
  output: unknown;
}
export type Results = Record<string, NodeResult>;

const enc = encodeURIComponent;

export const DebugApi = {
  session: (workflowId: string, spec: Workflow, results: Results) =>
    api<DebugSession>(`/workflows/${enc(workflowId)}/debug/session`, { body: { spec, results } }),
  step: (
    workflowId: string,
    spec: Workflow,
    nodeId: string,
    results: Results,
    input: Record<string, unknown> | null,
  ) =>
    api<DebugStepResult>(`/workflows/${enc(workflowId)}/debug/step`, {
      body: { spec, results, node_id: nodeId, input },
    }),
  /** Re-run from this node in a real run: Airflow clears it and its downstream. */
  clear: (workflowId: string, runId: string, nodeId: string, dryRun: boolean) =>
    api<ClearedRun>(`/workflows/${enc(workflowId)}/runs/${enc(runId)}/nodes/${enc(nodeId)}/clear`, {
      body: { dry_run: dryRun },
    }),
};
