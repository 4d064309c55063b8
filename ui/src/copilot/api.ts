// Client of the co-pilot routes. Chat streams server-sent events over a POST (fetch + reader),
// because EventSource can only GET.
import { API_BASE, ApiError, api } from "../api/client";
import type { Problem, WireWorkflow, Workflow } from "../spec/types";
import type { ChatEvent, Conversation, CopilotStatus, RecentAction, WizardInfo, WizardResult } from "./types";

const enc = encodeURIComponent;

export interface ChatBody {
  message: string;
  workflow_id: string;
  conversation_id?: string | null;
  context: { workflow: Workflow; selection: string[]; recent_actions: RecentAction[] };
}

export interface ApplyResult {
  spec: Workflow;
  changes: string[];
  warnings: Problem[];
}

/** Specs from the server leave empty lists out; the canvas code expects them. */
export function withLists(spec: WireWorkflow): Workflow {
  return { ...spec, nodes: spec.nodes ?? [], edges: spec.edges ?? [], groups: spec.groups ?? [] };
}

function normaliseEvent(event: ChatEvent): ChatEvent {
  if (event.type === "proposal" && event.proposal.workflow) {
    return { ...event, proposal: { ...event.proposal, workflow: withLists(event.proposal.workflow) } };
  }
  if (event.type === "done" && event.reply?.proposal?.workflow) {
    const proposal = { ...event.reply.proposal, workflow: withLists(event.reply.proposal.workflow) };
    return { ...event, reply: { ...event.reply, proposal } };
  }
  return event;
}

/** Split a buffer of SSE text into complete events and the unfinished rest. */
export function parseSse(buffer: string): { events: ChatEvent[]; rest: string } {
  const events: ChatEvent[] = [];
  const blocks = buffer.replace(/\r\n/g, "\n").split("\n\n");
  const rest = blocks.pop() ?? "";
  for (const block of blocks) {
    const data = block
      .split("\n")
      .filter((line) => line.startsWith("data:"))
      .map((line) => line.slice(5).trimStart())
      .join("\n");
    if (!data) continue;
    try {
      events.push(normaliseEvent(JSON.parse(data) as ChatEvent));
    } catch {
      // A malformed event is skipped; the final "done" event carries the whole reply anyway.
    }
  }
  return { events, rest };
}

export async function streamChat(
  body: ChatBody,
  onEvent: (e: ChatEvent) => void,
  signal?: AbortSignal,
): Promise<void> {
  const res = await fetch(`${API_BASE}/copilot/chat`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
    body: JSON.stringify({ ...body, stream: true }),
    credentials: "same-origin",
    signal,
  });
  if (!res.ok || !res.body) {
    const text = await res.text();
    let detail = res.statusText || `HTTP ${res.status}`;
    let problems: Problem[] = [];
    try {
      const obj = JSON.parse(text) as { detail?: unknown; problems?: Problem[] };
      if (typeof obj.detail === "string") detail = obj.detail;
      problems = obj.problems ?? [];
    } catch {
      if (text) detail = text;
    }
    throw new ApiError(res.status, detail, problems);
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    const parsed = parseSse(buffer);
    buffer = parsed.rest;
    parsed.events.forEach(onEvent);
  }
  parseSse(buffer + "\n\n").events.forEach(onEvent);
}

export const CopilotApi = {
  status: () => api<CopilotStatus>("/copilot/status"),
  conversations: (workflowId: string) =>
    api<{ items: Conversation[] }>(`/copilot/conversations?workflow_id=${enc(workflowId)}`).then(
      (b) => b.items ?? [],
    ),
  clear: (workflowId: string) =>
    api(`/copilot/conversations?workflow_id=${enc(workflowId)}`, { method: "DELETE" }),
  apply: (body: {
    spec: Workflow;
    ops: Record<string, unknown>[];
    workflow_id: string;
    conversation_id?: string | null;
    proposal_id?: string | null;
  }) => api<ApplyResult>("/copilot/apply", { body }).then((r) => ({ ...r, spec: withLists(r.spec) })),
  wizards: () => api<{ items: WizardInfo[] }>("/copilot/wizards").then((b) => b.items ?? []),
  wizardStep: (name: string, spec: Workflow, answers: Record<string, unknown>, step: number) =>
    api<WizardResult>(`/copilot/wizards/${enc(name)}/step`, { body: { spec, answers, step } }).then((r) =>
      r.proposal?.workflow
        ? { ...r, proposal: { ...r.proposal, workflow: withLists(r.proposal.workflow) } }
        : r,
    ),
};
