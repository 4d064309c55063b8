// The run views' API calls (plugin/routes/runs.py and metrics.py); types from the OpenAPI document.
import { api } from "../api/client";
import type { components } from "../api/schema";

type Schemas = components["schemas"];
export type RunHistory = Schemas["RunHistory"];
export type GridCell = Schemas["GridCell"];
export type GridRun = Schemas["GridRun"];
export type EdgeFlow = Schemas["EdgeData"];
export type NodeInputs = Schemas["NodeInputs"];
export type Prediction = Schemas["Prediction"];
export type WorkflowMetrics = Schemas["WorkflowMetrics"];

const enc = encodeURIComponent;

export const RunsApi = {
  history: (id: string, limit = 20) => api<RunHistory>(`/workflows/${enc(id)}/run-history?limit=${limit}`),
  inputs: (id: string, runId: string, nodeId: string) =>
    api<NodeInputs>(`/workflows/${enc(id)}/runs/${enc(runId)}/nodes/${enc(nodeId)}/inputs`),
  edges: (id: string, runId: string) =>
    api<Schemas["RunEdges"]>(`/workflows/${enc(id)}/runs/${enc(runId)}/edges`).then((b) => b.edges),
  metrics: (id: string, limit = 20) => api<WorkflowMetrics>(`/workflows/${enc(id)}/metrics?limit=${limit}`),
};
