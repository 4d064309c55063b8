// The plugin's JSON API. Same-origin fetches carry Airflow's UI cookie, so no token handling here.
import { normaliseWorkflow, type Problem, type Workflow } from "../spec/types";
import type { RunDetail } from "../state/status";

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
  // FastAPI's own 422s carry a list of {loc, msg}.
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
    const problems = (
      Array.isArray(obj.problems)
        ? obj.problems
        : ((obj.detail as Record<string, unknown> | undefined)?.problems ?? [])
    ) as Problem[];
    throw new ApiError(res.status, detail, problems, obj);
  }
  return body as T;
}

const enc = encodeURIComponent;

export interface Me {
  username: string;
  roles: string[];
  permissions: Record<string, string[]>;
}

/** One piece of executable code a change adds, alters or removes (spec/code_surface.py). */
export interface CodeChange {
  kind: string;
  label: string;
  pointer: string;
  node_id: string | null;
  tool: string | null;
  change: "added" | "altered" | "removed";
  before_text: string;
  after_text: string;
}

export interface DeployPreview {
  workflow_id: string;
  environment: string;
  version: number;
  deployed_version: number | null;
  code_changes: CodeChange[];
  confirm_code: string | null;
  requires_confirmation: boolean;
}

export interface WorkflowSummary {
  id: string;
  name?: string;
  description?: string;
  version?: number;
  head_version?: number;
  branch?: string;
  updated_at?: string;
  updated_by?: string;
  deployments?: Record<string, unknown>[] | Record<string, unknown>;
  last_run?: { run_id?: string; state?: string; start_date?: string } | null;
  node_count?: number;
  [key: string]: unknown;
}

export interface WorkflowRecord {
  id: string;
  spec: Workflow;
  version?: number;
  head_version?: number;
  branch?: string;
  [key: string]: unknown;
}

export interface VersionInfo {
  version: number;
  message?: string;
  author?: string;
  created_by?: string;
  created_at?: string;
  branch?: string;
  spec?: Workflow;
  [key: string]: unknown;
}

export interface RunSummary {
  run_id: string;
  state: string;
  start_date?: string | null;
  end_date?: string | null;
  logical_date?: string | null;
  [key: string]: unknown;
}

export interface ImportResult {
  workflow: Workflow;
  report: { format: string; items: { path: string; message: string; severity: string }[] };
  problems: Problem[];
  saved_version: number | null;
}

/** Lists come as {items, total}; tolerate a bare array or {<name>: [...]} too. */
export function itemsOf<T>(body: unknown, key?: string): T[] {
  if (Array.isArray(body)) return body as T[];
  if (body && typeof body === "object") {
    const obj = body as Record<string, unknown>;
    if (Array.isArray(obj.items)) return obj.items as T[];
    if (key && Array.isArray(obj[key])) return obj[key] as T[];
  }
  return [];
}

/** A workflow record may be {spec, version} or the spec itself. */
export function recordOf(body: unknown): WorkflowRecord {
  const obj = (body ?? {}) as Record<string, unknown>;
  if (obj.spec && typeof obj.spec === "object") {
    const spec = obj.spec as Workflow;
    return { ...obj, id: String(obj.id ?? spec.id), spec: normalise(spec) } as WorkflowRecord;
  }
  const spec = obj as unknown as Workflow;
  return { id: spec.id, spec: normalise(spec), version: spec.version ?? undefined };
}

const normalise = normaliseWorkflow;

export function versionOf(rec: WorkflowRecord): number | undefined {
  return (rec.head_version ?? rec.version ?? rec.spec.version ?? undefined) as number | undefined;
}

export const Api = {
  me: () => api<Me>("/me"),
  listWorkflows: (search = "", offset = 0, limit = 100) =>
    api<unknown>(`/workflows?search=${enc(search)}&offset=${offset}&limit=${limit}`).then((b) => ({
      items: itemsOf<WorkflowSummary>(b),
      total: Number((b as { total?: number })?.total ?? itemsOf(b).length),
    })),
  getWorkflow: (id: string, branch?: string) =>
    api<unknown>(`/workflows/${enc(id)}${branch ? `?branch=${enc(branch)}` : ""}`).then(recordOf),
  createWorkflow: (spec: Workflow, message: string) =>
    api<unknown>("/workflows", { body: { spec, message } }).then(recordOf),
  /** Answers with the new version's metadata (no spec). */
  saveWorkflow: (
    id: string,
    spec: Workflow,
    baseVersion: number | undefined,
    message: string,
    branch?: string,
  ) =>
    api<VersionInfo>(`/workflows/${enc(id)}`, {
      method: "PUT",
      body: { spec, base_version: baseVersion, message, branch: branch ?? "main" },
    }),
  deleteWorkflow: (id: string) => api(`/workflows/${enc(id)}`, { method: "DELETE" }),
  duplicate: (id: string, newId: string, name: string) =>
    api<unknown>(`/workflows/${enc(id)}/duplicate`, { body: { new_id: newId, name } }).then(recordOf),
  validate: (spec: Workflow, signal?: AbortSignal) =>
    api<{ valid: boolean; problems: Problem[] }>("/validate", { body: { spec }, signal }),
  compile: (spec: Workflow, signal?: AbortSignal) =>
    api<{ source: string | null; problems: Problem[] }>("/compile", { body: { spec }, signal }),
  versions: (id: string) =>
    api<unknown>(`/workflows/${enc(id)}/versions`).then((b) => itemsOf<VersionInfo>(b, "versions")),
  version: (id: string, n: number) => api<unknown>(`/workflows/${enc(id)}/versions/${n}`).then(recordOf),
  rollback: (id: string, version: number, message: string, branch?: string) =>
    api<VersionInfo>(`/workflows/${enc(id)}/rollback`, {
      body: { version, message, branch: branch ?? "main" },
    }),
  branches: (id: string) =>
    api<unknown>(`/workflows/${enc(id)}/branches`).then((b) =>
      itemsOf<Record<string, unknown>>(b, "branches"),
    ),
  /** Merge `source` into `target`; a 409 carries the conflicts (pick a side for each in `resolutions`). */
  merge: (
    id: string,
    source: string,
    target: string,
    resolutions: Record<string, "source" | "target">,
    message: string,
  ) => api<VersionInfo>(`/workflows/${enc(id)}/merge`, { body: { source, target, resolutions, message } }),
  createBranch: (id: string, name: string, fromVersion?: number) =>
    api(`/workflows/${enc(id)}/branches`, { body: { name, from_version: fromVersion } }),
  environments: () =>
    api<unknown>("/environments").then((b) => itemsOf<Record<string, unknown>>(b, "environments")),
  /** The code a deploy would change in `environment` and the hash that confirms exactly that code. */
  deployPreview: (id: string, environment: string, version?: number) =>
    api<DeployPreview>(
      `/workflows/${enc(id)}/deploy/preview?environment=${enc(environment)}${version ? `&version=${version}` : ""}`,
    ),
  /** `confirmCode`: the preview's `confirm_code` once the code was reviewed (required when code changes). */
  deploy: (id: string, environment: string, version?: number, confirmCode?: string | null) =>
    api<Record<string, unknown>>(`/workflows/${enc(id)}/deploy`, {
      body: { environment, version, ...(confirmCode ? { confirm_code: confirmCode } : {}) },
    }),
  deployments: (id: string) =>
    api<unknown>(`/workflows/${enc(id)}/deployments`).then((b) =>
      itemsOf<Record<string, unknown>>(b, "deployments"),
    ),
  trigger: (id: string, params: Record<string, unknown>, conf: Record<string, unknown> = {}) =>
    api<RunSummary>(`/workflows/${enc(id)}/runs`, { body: { params, conf } }),
  runs: (id: string) =>
    api<unknown>(`/workflows/${enc(id)}/runs`).then((b) => itemsOf<RunSummary>(b, "runs")),
  run: (id: string, runId: string) => api<RunDetail>(`/workflows/${enc(id)}/runs/${enc(runId)}`),
  output: (id: string, runId: string, nodeId: string) =>
    api<{ value?: unknown }>(`/workflows/${enc(id)}/runs/${enc(runId)}/nodes/${enc(nodeId)}/output`).then(
      (b) => (b && typeof b === "object" && "value" in b ? b.value : b),
    ),
  deploymentsCurrent: (id: string) =>
    api<{ current?: Record<string, Record<string, unknown>> }>(
      `/workflows/${enc(id)}/deployments?limit=1`,
    ).then((b) => b.current ?? {}),
  catalogueNodes: () => api<unknown>("/catalogue/nodes"),
  templates: () => api<unknown>("/templates").then((b) => itemsOf<Record<string, unknown>>(b, "templates")),
  /** A template filled in with its parameters: the spec only (creating it is a separate step). */
  instantiate: (name: string, id: string, title: string, params: Record<string, unknown> = {}) =>
    api<{ spec: Workflow }>(`/templates/${enc(name)}/instantiate`, {
      body: { workflow_id: id, name: title, params },
    }),
  /** dag-factory YAML or an Elyra .pipeline (the file name decides); saved when it validates. */
  importWorkflow: (content: string, filename: string) =>
    api<{ results: ImportResult[] }>("/import", {
      body: { content, filename, save: true, message: `Imported from ${filename}` },
    }),
  tools: () => api<unknown>("/tools").then((b) => itemsOf<Record<string, unknown>>(b, "tools")),
  dagPaused: (dagId: string) =>
    request<{ is_paused: boolean }>(`${AIRFLOW_API_BASE}/dags/${enc(dagId)}`, {}).then((d) => d.is_paused),
  unpauseDag: (dagId: string) =>
    request(`${AIRFLOW_API_BASE}/dags/${enc(dagId)}`, { method: "PATCH", body: { is_paused: false } }),
  testNode: (spec: Workflow, nodeId: string, input: unknown, debug = true) =>
    api<unknown>("/nodes/test", { body: { spec, node_id: nodeId, input, debug } }),
};
