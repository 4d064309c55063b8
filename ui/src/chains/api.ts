// The chain library and user templates (routes/chains.py, routes/user_templates.py).
import { api } from "../api/client";
import type { components } from "../api/schema";
import { normaliseWorkflow, type Workflow } from "../spec/types";

type Schemas = components["schemas"];
export type ChainSummary = Schemas["ChainSummary"];
export type ChainPreview = Schemas["ChainPreview"];
export type ChainStatus = Schemas["ChainStatus"];
export type ChainInterface = Schemas["Interface"];
export type UserTemplate = Schemas["UserTemplate"];

const enc = encodeURIComponent;

/** Where a chain is cut from: one group, or the selected nodes. */
export type ChainSource = { groupId: string } | { nodeIds: string[] };

function source(wf: Workflow, from: ChainSource) {
  return "groupId" in from ? { spec: wf, group_id: from.groupId } : { spec: wf, node_ids: from.nodeIds };
}

export const ChainsApi = {
  list: (q = "") => api<Schemas["ChainPage"]>(`/chains?q=${enc(q)}`).then((b) => b.items),
  preview: (wf: Workflow, from: ChainSource, name: string) =>
    api<ChainPreview>("/chains/preview", { body: { ...source(wf, from), name } }),
  publish: (
    wf: Workflow,
    from: ChainSource,
    p: { name: string; version: string; description: string; changelog: string; iface: ChainInterface },
  ) =>
    api<Schemas["ChainPublished"]>("/chains", {
      body: {
        ...source(wf, from),
        name: p.name,
        version: p.version,
        description: p.description,
        changelog: p.changelog,
        interface: p.iface,
      },
    }),
  insert: (wf: Workflow, ref: { name: string; version: string }, at?: { x: number; y: number }) =>
    api<Schemas["ChainInserted"]>(`/chains/${enc(ref.name)}/${enc(ref.version)}/insert`, {
      body: { spec: wf, ...(at ?? {}) },
    }).then((b) => ({ ...b, spec: normaliseWorkflow(b.spec) })),
  status: (wf: Workflow) =>
    api<Schemas["ChainStatusPage"]>("/chains/status", { body: { spec: wf } }).then((b) => b.items),
  update: (wf: Workflow, groupId: string, toVersion: string | null, confirmMajor: boolean) =>
    api<Schemas["ChainUpdated"]>("/chains/update", {
      body: { spec: wf, group_id: groupId, to_version: toVersion, confirm_major: confirmMajor },
    }).then((b) => ({ ...b, spec: normaliseWorkflow(b.spec) })),
  userTemplates: () => api<Schemas["UserTemplatePage"]>("/user-templates").then((b) => b.items),
  saveTemplate: (
    wf: Workflow,
    p: {
      name: string;
      title: string;
      description: string;
      parameters: { name: string; pointer: string; title: string }[];
    },
  ) => api<UserTemplate>(`/user-templates/${enc(p.name)}`, { method: "PUT", body: { spec: wf, ...p } }),
  instantiateTemplate: (name: string, id: string, title: string, params: Record<string, unknown>) =>
    api<Schemas["SpecOnly"]>(`/user-templates/${enc(name)}/instantiate`, {
      body: { workflow_id: id, name: title, params },
    }).then((b) => ({ spec: normaliseWorkflow(b.spec) })),
};
