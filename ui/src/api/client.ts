// The plugin's JSON API. Same-origin fetches carry Airflow's UI cookie, so no token handling here.
// Response types are generated from the API's OpenAPI document (src/api/schema.d.ts, `npm run api-types`).
import type { components } from "./schema";
import { normaliseWorkflow, type Problem, type Workflow } from "../spec/types";
import type { RunDetail } from "../state/status";

type Schemas = components["schemas"];

export const API_BASE = "/airflow-canvas/api";

export class ApiError extends Error {
  constructor(
    public status: number,
    public detail: string,
    public problems: Problem[] = [],
    public body: Record<string, unknown> = {},
  ) {
    super(detail);
  }
}

function detailText(detail: unknown, fallback: string): string {
  if (typeof detail === "string") return detail;
  // Airflow's own API (AIRFLOW_API_BASE) answers 422 with FastAPI's list of {loc, msg}; the canvas
  // API's `detail` is always a string (ErrorBody).
  if (Array.isArray(detail))
    return detail.map((d) => (d as { msg?: string }).msg ?? JSON.stringify(d)).join("; ");
  if (detail && typeof detail === "object")
    return (detail as { message?: string }).message ?? JSON.stringify(detail);
  return fallback;
}

export async function api<T = unknown>(
  path: string,
  init: { method?: string; body?: unknown; signal?: AbortSignal } = {},
): Promise<T> {
  return request<T>(API_BASE + path, init);
}

/** Airflow's own REST API (same cookie): used for what Airflow owns, like pausing a DAG. */
export const AIRFLOW_API_BASE = "/api/v2";

async function request<T>(
  url: string,
  init: { method?: string; body?: unknown; signal?: AbortSignal },
): Promise<T> {
  const res = await fetch(url, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers:
      init.body === undefined
        ? { Accept: "application/json" }
        : { "Content-Type": "application/json", Accept: "application/json" },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    credentials: "same-origin",
    signal: init.signal,
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  if (!res.ok) {
    const obj = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
    const detail = detailText(
      obj.detail,
      typeof body === "string" && body ? body : res.statusText || `HTTP ${res.status}`,
    );
    // The canvas API's errors always carry `problems` (ErrorBody); Airflow's own have none.
    const problems = (Array.isArray(obj.problems) ? obj.problems : []) as Problem[];
    throw new ApiError(res.status, detail, problems, obj);
  }
  return body as T;
}

const enc = encodeURIComponent;

export type Me = Schemas["Me"];
/** One piece of executable code a change adds, alters or removes (spec/code_surface.py). */
export type CodeChange = Schemas["CodeChange"];
export type DeployPreview = Schemas["DeployPreview"];
export type WorkflowSummary = Schemas["WorkflowSummary"];
export type VersionInfo = Schemas["VersionInfo"];
export type RunSummary = Schemas["RunSummary"];
export type BranchInfo = Schemas["BranchInfo"];
export type EnvironmentInfo = Schemas["EnvironmentInfo"];
export type Deployment = Schemas["Deployment"];
export type TemplateInfo = Schemas["TemplateInfo"];
export type ToolSummary = Schemas["ToolSummary"];
export type NodeCatalogue = Schemas["NodeCatalogue"];
export type NodeTestResult = Schemas["NodeTestResult"];
export type ImportResult = Omit<Schemas["ImportOutcome"], "workflow"> & { workflow: Workflow };

/** A stored version with its spec (GET /workflows/{id} adds the workflow's name and branches), the
 * spec filled in for the canvas; `id` is the workflow's. */
export type WorkflowRecord = Omit<Schemas["VersionWithSpec"], "spec"> &
  Partial<Pick<Schemas["WorkflowRecord"], "name" | "head_version" | "branches">> & {
    id: string;
    spec: Workflow;
  };

function recordOf(body: Schemas["VersionWithSpec"] | Schemas["WorkflowRecord"]): WorkflowRecord {
  return { ...body, id: body.workflow_id, spec: normaliseWorkflow(body.spec) };
}

/** The version a record holds: the base of the next save. */
export function versionOf(rec: WorkflowRecord): number {
  return rec.version;
}

export const Api = {
  me: () => api<Me>("/me"),
  listWorkflows: (search = "", offset = 0, limit = 100) =>
    api<Schemas["WorkflowPage"]>(`/workflows?search=${enc(search)}&offset=${offset}&limit=${limit}`),
  getWorkflow: (id: string, branch?: string) =>
    api<Schemas["WorkflowRecord"]>(`/workflows/${enc(id)}${branch ? `?branch=${enc(branch)}` : ""}`).then(
      recordOf,
    ),
  createWorkflow: (spec: Workflow, message: string) =>
    api<Schemas["CreatedWorkflow"]>("/workflows", { body: { spec, message } }).then(recordOf),
  /** Answers with the new version's metadata (no spec). */
  saveWorkflow: (
    id: string,
    spec: Workflow,
    baseVersion: number | undefined,
    message: string,
    branch?: string,
  ) =>
    api<Schemas["SavedVersion"]>(`/workflows/${enc(id)}`, {
      method: "PUT",
      body: { spec, base_version: baseVersion, message, branch: branch ?? "main" },
    }),
  deleteWorkflow: (id: string) => api<Schemas["Deleted"]>(`/workflows/${enc(id)}`, { method: "DELETE" }),
  duplicate: (id: string, newId: string, name: string) =>
    api<Schemas["VersionWithSpec"]>(`/workflows/${enc(id)}/duplicate`, {
      body: { new_id: newId, name },
    }).then(recordOf),
  validate: (spec: Workflow, signal?: AbortSignal) =>
    api<Schemas["ValidateResult"]>("/validate", { body: { spec }, signal }),
  compile: (spec: Workflow, signal?: AbortSignal) =>
    api<Schemas["CompileResult"]>("/compile", { body: { spec }, signal }),
  versions: (id: string) =>
    api<Schemas["VersionPage"]>(`/workflows/${enc(id)}/versions`).then((b) => b.items),
  version: (id: string, n: number) =>
    api<Schemas["VersionWithSpec"]>(`/workflows/${enc(id)}/versions/${n}`).then(recordOf),
  rollback: (id: string, version: number, message: string, branch?: string) =>
    api<Schemas["SavedVersion"]>(`/workflows/${enc(id)}/rollback`, {
      body: { version, message, branch: branch ?? "main" },
    }),
  branches: (id: string) => api<Schemas["BranchPage"]>(`/workflows/${enc(id)}/branches`).then((b) => b.items),
  /** Merge `source` into `target`; a 409 carries the conflicts (pick a side for each in `resolutions`). */
  merge: (
    id: string,
    source: string,
    target: string,
    resolutions: Record<string, "source" | "target">,
    message: string,
  ) =>
    api<Schemas["SavedVersion"]>(`/workflows/${enc(id)}/merge`, {
      body: { source, target, resolutions, message },
    }),
  createBranch: (id: string, name: string, fromVersion?: number) =>
    api<Schemas["CreatedBranch"]>(`/workflows/${enc(id)}/branches`, {
      body: { name, from_version: fromVersion },
    }),
  environments: () => api<Schemas["EnvironmentList"]>("/environments").then((b) => b.items),
  /** The code a deploy would change in `environment` and the hash that confirms exactly that code. */
  deployPreview: (id: string, environment: string, version?: number) =>
    api<DeployPreview>(
      `/workflows/${enc(id)}/deploy/preview?environment=${enc(environment)}${version ? `&version=${version}` : ""}`,
    ),
  /** `confirmCode`: the preview's `confirm_code` once the code was reviewed (required when code changes). */
  deploy: (id: string, environment: string, version?: number, confirmCode?: string | null) =>
    api<Deployment>(`/workflows/${enc(id)}/deploy`, {
      body: { environment, version, ...(confirmCode ? { confirm_code: confirmCode } : {}) },
    }),
  deployments: (id: string) =>
    api<Schemas["DeploymentPage"]>(`/workflows/${enc(id)}/deployments`).then((b) => b.items),
  trigger: (id: string, params: Record<string, unknown>, conf: Record<string, unknown> = {}) =>
    api<RunSummary>(`/workflows/${enc(id)}/runs`, { body: { params, conf } }),
  runs: (id: string) => api<Schemas["RunPage"]>(`/workflows/${enc(id)}/runs`).then((b) => b.items),
  run: (id: string, runId: string) => api<RunDetail>(`/workflows/${enc(id)}/runs/${enc(runId)}`),
  output: (id: string, runId: string, nodeId: string) =>
    api<Schemas["NodeOutput"]>(`/workflows/${enc(id)}/runs/${enc(runId)}/nodes/${enc(nodeId)}/output`).then(
      (b) => b.value,
    ),
  deploymentsCurrent: (id: string) =>
    api<Schemas["DeploymentPage"]>(`/workflows/${enc(id)}/deployments?limit=1`).then((b) => b.current),
  catalogueNodes: () => api<NodeCatalogue>("/catalogue/nodes"),
  templates: () => api<Schemas["TemplatePage"]>("/templates").then((b) => b.items),
  /** A template filled in with its parameters: the spec only (creating it is a separate step). */
  instantiate: (name: string, id: string, title: string, params: Record<string, unknown> = {}) =>
    api<Schemas["SpecOnly"]>(`/templates/${enc(name)}/instantiate`, {
      body: { workflow_id: id, name: title, params },
    }).then((b) => ({ spec: normaliseWorkflow(b.spec) })),
  /** dag-factory YAML or an Elyra .pipeline (the file name decides); saved when it validates. */
  importWorkflow: (content: string, filename: string) =>
    api<Schemas["ImportResults"]>("/import", {
      body: { content, filename, save: true, message: `Imported from ${filename}` },
    }).then((b) => ({
      results: b.results.map((r): ImportResult => ({ ...r, workflow: normaliseWorkflow(r.workflow) })),
    })),
  tools: () => api<Schemas["ToolPage"]>("/tools").then((b) => b.items),
  dagPaused: (dagId: string) =>
    request<{ is_paused: boolean }>(`${AIRFLOW_API_BASE}/dags/${enc(dagId)}`, {}).then((d) => d.is_paused),
  unpauseDag: (dagId: string) =>
    request(`${AIRFLOW_API_BASE}/dags/${enc(dagId)}`, { method: "PATCH", body: { is_paused: false } }),
  testNode: (spec: Workflow, nodeId: string, input: unknown, debug = true) =>
    api<NodeTestResult>("/nodes/test", { body: { spec, node_id: nodeId, input, debug } }),
};
