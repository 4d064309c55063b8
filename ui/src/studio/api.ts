// The tool studio's calls to the canvas API (routes/tools.py and routes/tool_studio.py). Types come
// from the generated OpenAPI schema, so a field added to the Tool model shows up here on regeneration.
import { api } from "../api/client";
import type { components } from "../api/schema";

type Schemas = components["schemas"];

export type Tool = Schemas["Tool"];
export type ToolTest = Schemas["ToolTest"];
export type ToolSummary = Schemas["ToolSummary"];
export type ToolVersion = Schemas["ToolVersion"];
export type ToolVersionWithSpec = Omit<Schemas["ToolVersionWithSpec"], "spec"> & { spec: Tool };
export type ToolCheck = Schemas["ToolCheck"];
export type Diagnostic = Schemas["ToolDiagnostic"];
export type PublishPreview = Schemas["PublishPreview"];
export type TestRun = Schemas["ToolTestRun"];
export type CaseResult = NonNullable<TestRun["tests"]>[number];
export type Published = Schemas["Published"];
export type ToolUse = Schemas["ToolUse"];
export type ToolUsage = Schemas["ToolUsage"];

const enc = encodeURIComponent;
const at = (name: string, version: string) => `/tools/${enc(name)}/versions/${enc(version)}`;

export const StudioApi = {
  list: () => api<Schemas["ToolPage"]>("/tools").then((b) => b.items),
  versions: (name: string) =>
    api<Schemas["ToolVersionPage"]>(`/tools/${enc(name)}/versions`).then((b) => b.items),
  version: (name: string, version: string) => api<ToolVersionWithSpec>(at(name, version)),
  usage: (name: string) => api<ToolUsage>(`/tools/${enc(name)}/usage`),
  /** Save a draft (new, or replacing the unpublished draft of the same version). */
  save: (tool: Tool) => api<ToolVersionWithSpec>("/tools", { body: { tool } }),
  /** Static checks only: the server parses the code, it never runs it. */
  check: (tool: Tool, signal?: AbortSignal) => api<ToolCheck>("/tools/check", { body: { tool }, signal }),
  test: (name: string, version: string) => api<TestRun>(`${at(name, version)}/test`, { method: "POST" }),
  publish: (name: string, version: string, changelog: string) =>
    api<Published>(`${at(name, version)}/publish`, { body: { changelog } }),
  deprecate: (name: string, version: string, deprecated: boolean) =>
    api<ToolVersion>(`${at(name, version)}/deprecate`, { body: { deprecated } }),
};
