// The co-pilot's wire types, generated from the API's OpenAPI document (src/api/schema.d.ts, from
// airflow_canvas/copilot/responses.py and wizards.py on the server). The stream's events below are
// not in that document (text/event-stream): they carry these types.
import type { components } from "../api/schema";

type Schemas = components["schemas"];

export type Suggestion = Schemas["Suggestion"];
export type SuggestionAction = Suggestion["action"];
export type Part = Schemas["Reply"]["parts"][number];
export type ServerDiff = Schemas["PreviewDiff"];
export type Proposal = Schemas["Proposal"];
export type Usage = Schemas["Usage"];
export type Reply = Schemas["Reply"];
export type CopilotStatus = Schemas["CopilotStatus"];
export type StoredMessage = Schemas["StoredMessage"];
export type Conversation = Schemas["Conversation"];
export type WizardField = Schemas["WizardField"];
export type WizardStep = Schemas["WizardStep"];
export type WizardInfo = Schemas["WizardInfo"];
export type WizardResult = Schemas["WizardResult"];
export type RecentAction = Schemas["RecentAction"];

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
