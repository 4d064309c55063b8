// The co-pilot's wire types (airflow_canvas/copilot/responses.py and wizards.py on the server).
import type { Problem, SpecEdge, SpecNode, Workflow } from "../spec/types";

export type SuggestionAction = "apply_patch" | "open_wizard" | "run_node" | "focus_node" | "send";

export interface Suggestion {
  label: string;
  action: SuggestionAction;
  ops?: Record<string, unknown>[] | null;
  wizard?: string | null;
  node_id?: string | null;
  input?: Record<string, unknown> | null;
  message?: string | null;
}

export type Part =
  | { type: "text"; markdown: string }
  | { type: "code"; language: string; code: string; title?: string }
  | { type: "diagram"; title?: string; nodes: SpecNode[]; edges: SpecEdge[] }
  | { type: "suggestions"; items: Suggestion[] };

export interface ServerDiff {
  nodes: { added: string[]; removed: string[]; changed: Record<string, string[]> };
  edges: { added: string[]; removed: string[]; changed: Record<string, string[]> };
  groups: { added: string[]; removed: string[]; changed: Record<string, string[]> };
  workflow: string[];
}

export interface Proposal {
  id: string;
  summary: string;
  ops: Record<string, unknown>[];
  diff: ServerDiff;
  changes: string[];
  /** The patched spec; absent on proposals reloaded from a stored conversation. */
  workflow?: Workflow;
  warnings: Problem[];
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  cost: number;
}

export interface Reply {
  engine: "llm" | "offline";
  parts: Part[];
  proposal: Proposal | null;
  usage: Usage;
  error: string | null;
}

export interface CopilotStatus {
  engine: "llm" | "offline";
  model?: string;
  conn_id?: string;
  reason?: string;
}

export interface StoredMessage {
  id: number;
  role: "user" | "assistant" | "system" | "tool";
  content: string;
  payload: Record<string, unknown>;
}

export interface Conversation {
  id: string;
  workflow_id: string | null;
  title: string;
  usage: Usage;
  messages?: StoredMessage[];
}

export interface WizardField {
  name: string;
  label: string;
  kind: "text" | "textarea" | "select" | "multiselect" | "number" | "json";
  options: string[];
  default: unknown;
  required: boolean;
  help: string;
}

export interface WizardStep {
  index: number;
  title: string;
  fields: WizardField[];
}

export interface WizardInfo {
  name: string;
  title: string;
  description: string;
  steps: number;
}

export interface WizardResult {
  wizard: string;
  step: WizardStep | null;
  proposal: Proposal | null;
  problems: Problem[];
}

export interface RecentAction {
  label: string;
  node_ids: string[];
}

/** One entry of the chat as the panel shows it. */
export interface ChatEntry {
  key: string;
  role: "user" | "assistant" | "system";
  text: string;
  reply?: Reply;
  streaming?: boolean;
  status?: string;
  /** What happened to this entry's proposal. */
  outcome?: "applied" | "rejected";
}

/** Stream events (POST /copilot/chat with stream: true). */
export type ChatEvent =
  | { type: "conversation"; conversation_id: string; engine: "llm" | "offline" }
  | { type: "text"; delta: string }
  | { type: "status"; message: string }
  | { type: "error"; error: string; message: string }
  | { type: "proposal"; proposal: Proposal }
  | { type: "usage"; usage: Usage }
  | { type: "done"; reply: Reply };
