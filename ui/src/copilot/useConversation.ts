// The conversation with the co-pilot on one workflow: the engine's status, the chat entries, the
// token usage, resuming the latest conversation, sending a message (streamed) and clearing it.
// It never edits the workflow; proposals arrive in the entries' replies.
import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError } from "../api/client";
import type { Workflow } from "../spec/types";
import { CopilotApi, streamChat } from "./api";
import { describeChange, pushRecent } from "./recent";
import type { ChatEntry, Conversation, CopilotStatus, RecentAction, Reply } from "./types";

let seq = 0;
/** A key for a chat entry, unique in the page. */
export const entryKey = () => `m${++seq}`;

function entriesFrom(conversation: Conversation): ChatEntry[] {
  return (conversation.messages ?? []).map((m) => {
    const payload = m.payload as Partial<Reply> & { applied?: string };
    if (m.role === "assistant" && Array.isArray(payload.parts)) {
      return { key: entryKey(), role: "assistant", text: m.content, reply: payload as Reply };
    }
    return { key: entryKey(), role: m.role === "user" ? "user" : "system", text: m.content };
  });
}

export interface ConversationState {
  status: CopilotStatus | null;
  usage: Conversation["usage"] | null;
  entries: ChatEntry[];
  conversationId: string | null;
  busy: boolean;
  setBusy: (busy: boolean) => void;
  /** The latest conversation on this workflow has been looked up (a prompt continues it). */
  resumed: boolean;
  send: (text: string) => Promise<void>;
  push: (entry: Omit<ChatEntry, "key">) => void;
  patchEntry: (key: string, fn: (e: ChatEntry) => ChatEntry) => void;
  clear: () => Promise<void>;
}

export function useConversation(
  workflow: Workflow,
  selection: { nodes: string[]; groups: string[] },
): ConversationState {
  const [status, setStatus] = useState<CopilotStatus | null>(null);
  const [entries, setEntries] = useState<ChatEntry[]>([]);
  const [conversationId, setConversationId] = useState<string | null>(null);
  const [usage, setUsage] = useState<Conversation["usage"] | null>(null);
  const [busy, setBusy] = useState(false);
  const [resumed, setResumed] = useState(false);
  const recent = useRef<RecentAction[]>([]);
  const previous = useRef<Workflow>(workflow);
  const abort = useRef<AbortController | null>(null);
  const workflowRef = useRef(workflow);
  workflowRef.current = workflow;

  // Every committed change of the spec is a user action (undo steps included).
  useEffect(() => {
    if (previous.current.id === workflow.id)
      recent.current = pushRecent(recent.current, describeChange(previous.current, workflow));
    else recent.current = [];
    previous.current = workflow;
  }, [workflow]);

  useEffect(() => {
    CopilotApi.status()
      .then(setStatus)
      .catch(() => setStatus(null));
  }, []);

  // Resume the latest conversation on this workflow.
  useEffect(() => {
    let cancelled = false;
    setResumed(false);
    CopilotApi.conversations(workflow.id)
      .then((items) => {
        if (cancelled || !items.length) return;
        setConversationId(items[0].id);
        setUsage(items[0].usage);
        setEntries(entriesFrom(items[0]));
      })
      .catch(() => undefined)
      .finally(() => !cancelled && setResumed(true));
    return () => {
      cancelled = true;
      abort.current?.abort();
    };
  }, [workflow.id]);

  const patchEntry = useCallback(
    (k: string, fn: (e: ChatEntry) => ChatEntry) =>
      setEntries((all) => all.map((e) => (e.key === k ? fn(e) : e))),
    [],
  );
  const push = useCallback(
    (entry: Omit<ChatEntry, "key">) => setEntries((all) => [...all, { ...entry, key: entryKey() }]),
    [],
  );

  const send = useCallback(
    async (text: string) => {
      const message = text.trim();
      if (!message || busy) return;
      setBusy(true);
      const answerKey = entryKey();
      setEntries((all) => [
        ...all,
        { key: entryKey(), role: "user", text: message },
        { key: answerKey, role: "assistant", text: "", streaming: true },
      ]);
      const controller = new AbortController();
      abort.current = controller;
      try {
        await streamChat(
          {
            message,
            workflow_id: workflowRef.current.id,
            conversation_id: conversationId,
            context: {
              workflow: workflowRef.current,
              selection: [...selection.nodes, ...selection.groups],
              recent_actions: recent.current,
            },
          },
          (event) => {
            if (event.type === "conversation") {
              setConversationId(event.conversation_id);
              setStatus((s) => (s ? { ...s, engine: event.engine } : s));
            } else if (event.type === "text")
              patchEntry(answerKey, (e) => ({ ...e, text: e.text + event.delta }));
            else if (event.type === "status") patchEntry(answerKey, (e) => ({ ...e, status: event.message }));
            else if (event.type === "usage")
              setUsage((u) => ({
                prompt_tokens: (u?.prompt_tokens ?? 0) + event.usage.prompt_tokens,
                completion_tokens: (u?.completion_tokens ?? 0) + event.usage.completion_tokens,
                cost: (u?.cost ?? 0) + event.usage.cost,
              }));
            else if (event.type === "done")
              patchEntry(answerKey, (e) => ({
                ...e,
                reply: event.reply,
                streaming: false,
                status: undefined,
              }));
          },
          controller.signal,
        );
      } catch (err) {
        const detail =
          err instanceof ApiError
            ? `${err.detail}${err.problems.length ? `: ${err.problems.map((p) => p.message).join("; ")}` : ""}`
            : (err as Error).message;
        patchEntry(answerKey, (e) => ({
          ...e,
          streaming: false,
          text: `The co-pilot could not answer: ${detail}`,
        }));
      } finally {
        patchEntry(answerKey, (e) => ({ ...e, streaming: false }));
        setBusy(false);
      }
    },
    [busy, conversationId, selection, patchEntry],
  );

  const clear = useCallback(async () => {
    await CopilotApi.clear(workflowRef.current.id).catch(() => undefined);
    setEntries([]);
    setConversationId(null);
    setUsage(null);
  }, []);

  return { status, usage, entries, conversationId, busy, setBusy, resumed, send, push, patchEntry, clear };
}
