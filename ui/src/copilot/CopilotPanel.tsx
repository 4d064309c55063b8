// The co-pilot panel, docked in the Canvas editor (and used by the full Co-pilot page). It sends
// each message with the context (workflow as on screen, selection, recent actions; the server adds
// validation problems and the latest run), streams the answer, and shows proposals as a preview
// diff with Apply / Reject. It never edits the workflow itself: Apply goes through the server's
// check and then `applySpec`, which the editor commits as one undoable step.
import { useCallback, useEffect, useRef, useState } from "react";
import { Api, ApiError } from "../api/client";
import type { Problem, Workflow } from "../spec/types";
import { CodeBlock } from "./CodeBlock";
import { SubgraphDiagram } from "./Diagram";
import { Markdown } from "./markdown";
import { ProposalView } from "./ProposalView";
import { pushRecent, describeChange } from "./recent";
import { CopilotApi, streamChat } from "./api";
import { ensureCopilotStyles } from "./styles";
import type {
  ChatEntry,
  Conversation,
  CopilotStatus,
  Part,
  Proposal,
  RecentAction,
  Reply,
  Suggestion,
  WizardInfo,
  WizardStep,
} from "./types";
import { WizardForm } from "./WizardForm";

export interface CopilotPanelProps {
  workflow: Workflow;
  selection: { nodes: string[]; edges: string[]; groups: string[] };
  problems: Problem[];
  runErrors: { node_id: string; state: string }[];
  readOnly: boolean;
  /** Apply a proposed workflow (validated by the co-pilot) as one undoable change. */
  applySpec: (next: Workflow, description: string) => void;
  /** A question pre-filled from the canvas context menu ("ask the co-pilot about this node"). */
  prompt: { text: string; nonce: number } | null;
  /** Called once the prompt was sent, so it is not sent again when the panel mounts again. */
  onPromptTaken?: () => void;
  /** Optional: select and center a node on the canvas. */
  onFocusNode?: (nodeId: string) => void;
  /** Optional: open the editor's "run this node" form with mock input (else the panel runs it). */
  onRunNode?: (nodeId: string, input: Record<string, unknown>) => void;
  /** Optional: show a proposed workflow on the canvas as a diff (null = back to the workflow). */
  onPreview?: (next: Workflow | null) => void;
}

let seq = 0;
const key = () => `m${++seq}`;

function entriesFrom(conversation: Conversation): ChatEntry[] {
  return (conversation.messages ?? []).map((m) => {
    const payload = m.payload as Partial<Reply> & { applied?: string };
    if (m.role === "assistant" && Array.isArray(payload.parts)) {
      return { key: key(), role: "assistant", text: m.content, reply: payload as Reply };
    }
    return { key: key(), role: m.role === "user" ? "user" : "system", text: m.content };
  });
}

function PartView({
  part,
  onSuggestion,
  busy,
}: {
  part: Part;
  onSuggestion: (s: Suggestion) => void;
  busy: boolean;
}) {
  if (part.type === "text") return <Markdown text={part.markdown} />;
  if (part.type === "code") return <CodeBlock language={part.language} code={part.code} title={part.title} />;
  if (part.type === "diagram")
    return <SubgraphDiagram nodes={part.nodes} edges={part.edges} title={part.title} />;
  return (
    <div className="cv-cp-suggestions" data-testid="copilot-suggestions">
      {part.items.map((s, i) => (
        <button
          key={i}
          className={`cv-btn small ${s.action === "apply_patch" ? "primary" : ""}`}
          disabled={busy}
          data-testid={`suggestion-${s.action}`}
          onClick={() => onSuggestion(s)}
        >
          {s.label.replace(/`/g, "")}
        </button>
      ))}
    </div>
  );
}

export function CopilotPanel(props: CopilotPanelProps) {
  const {
    workflow,
    selection,
    problems,
    runErrors,
    readOnly,
    applySpec,
    prompt,
    onPromptTaken,
    onFocusNode,
    onRunNode,
    onPreview,
  } = props;
  ensureCopilotStyles();
  const [status, setStatus] = useState<CopilotStatus | null>(null);
  const [entries, setEntries] = useState<ChatEntry[]>([]);
  const [conversationId, setConversationId] = useState<string | null>(null);
  const [usage, setUsage] = useState<Conversation["usage"] | null>(null);
  const [input, setInput] = useState("");
  const [busy, setBusy] = useState(false);
  // The latest conversation on this workflow has been looked up (a prompt continues it).
  const [resumed, setResumed] = useState(false);
  const promptSent = useRef<number | null>(null);
  const [wizards, setWizards] = useState<WizardInfo[]>([]);
  const [wizard, setWizard] = useState<{
    name: string;
    title: string;
    step: WizardStep;
    answers: Record<string, unknown>;
    problems: Problem[];
  } | null>(null);
  const recent = useRef<RecentAction[]>([]);
  const previous = useRef<Workflow>(workflow);
  const abort = useRef<AbortController | null>(null);
  const listEnd = useRef<HTMLDivElement | null>(null);
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
    CopilotApi.wizards()
      .then(setWizards)
      .catch(() => setWizards([]));
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

  useEffect(() => {
    listEnd.current?.scrollIntoView?.({ block: "end" });
  }, [entries, wizard]);

  const patchEntry = (k: string, fn: (e: ChatEntry) => ChatEntry) =>
    setEntries((all) => all.map((e) => (e.key === k ? fn(e) : e)));

  const send = useCallback(
    async (text: string) => {
      const message = text.trim();
      if (!message || busy) return;
      setInput("");
      setBusy(true);
      const answerKey = key();
      setEntries((all) => [
        ...all,
        { key: key(), role: "user", text: message },
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
    [busy, conversationId, selection],
  );

  // "Ask the co-pilot" from the canvas context menu: once the conversation is resumed (so the
  // question continues it rather than starting another), and only once per prompt.
  useEffect(() => {
    if (!prompt || !resumed || busy || promptSent.current === prompt.nonce) return;
    promptSent.current = prompt.nonce;
    void send(prompt.text);
    onPromptTaken?.();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- sends each prompt once (by nonce); `send` changes with every turn and must not re-send it
  }, [prompt?.nonce, resumed, busy]);

  const applyOps = async (
    ops: Record<string, unknown>[],
    summary: string,
    proposalId: string | null,
    entryKey?: string,
  ) => {
    if (readOnly) return;
    setBusy(true);
    try {
      const res = await CopilotApi.apply({
        spec: workflowRef.current,
        ops,
        workflow_id: workflowRef.current.id,
        conversation_id: conversationId,
        proposal_id: proposalId,
      });
      applySpec(res.spec, `Co-pilot: ${summary}`);
      onPreview?.(null);
      if (entryKey) patchEntry(entryKey, (e) => ({ ...e, outcome: "applied" }));
      setEntries((all) => [
        ...all,
        {
          key: key(),
          role: "system",
          text: `Applied: ${res.changes.join(" ").replace(/`/g, "") || summary}. Undo with Ctrl+Z; save to keep it.`,
        },
      ]);
    } catch (err) {
      const detail =
        err instanceof ApiError
          ? `${err.detail} ${err.problems.map((p) => p.message).join("; ")}`
          : (err as Error).message;
      setEntries((all) => [...all, { key: key(), role: "system", text: `Could not apply: ${detail}` }]);
    } finally {
      setBusy(false);
    }
  };

  const runNode = async (nodeId: string, mock: Record<string, unknown>) => {
    if (onRunNode) return onRunNode(nodeId, mock);
    setBusy(true);
    try {
      const out = await Api.testNode(workflowRef.current, nodeId, mock);
      setEntries((all) => [
        ...all,
        {
          key: key(),
          role: "assistant",
          text: "",
          reply: {
            engine: "offline",
            error: null,
            proposal: null,
            usage: { prompt_tokens: 0, completion_tokens: 0, cost: 0 },
            parts: [
              { type: "text", markdown: `Ran \`${nodeId}\` alone with the mock input:` },
              { type: "code", language: "json", code: JSON.stringify(out, null, 2) },
            ],
          },
        },
      ]);
    } catch (err) {
      setEntries((all) => [
        ...all,
        { key: key(), role: "system", text: `Running ${nodeId} failed: ${(err as Error).message}` },
      ]);
    } finally {
      setBusy(false);
    }
  };

  const openWizard = async (name: string) => {
    const info = wizards.find((w) => w.name === name);
    try {
      const res = await CopilotApi.wizardStep(name, workflowRef.current, {}, -1);
      if (res.step)
        setWizard({ name, title: info?.title ?? name, step: res.step, answers: {}, problems: [] });
    } catch (err) {
      setEntries((all) => [
        ...all,
        { key: key(), role: "system", text: `The wizard could not start: ${(err as Error).message}` },
      ]);
    }
  };

  const wizardNext = async (answers: Record<string, unknown>) => {
    if (!wizard) return;
    setBusy(true);
    try {
      const res = await CopilotApi.wizardStep(wizard.name, workflowRef.current, answers, wizard.step.index);
      if (res.proposal) {
        const proposal: Proposal = res.proposal;
        setWizard(null);
        setEntries((all) => [
          ...all,
          {
            key: key(),
            role: "assistant",
            text: "",
            reply: {
              engine: "offline",
              error: null,
              proposal,
              usage: { prompt_tokens: 0, completion_tokens: 0, cost: 0 },
              parts: [
                { type: "text", markdown: `${proposal.summary}. Review it and apply it, or reject it.` },
              ],
            },
          },
        ]);
      } else if (res.step) {
        setWizard({ ...wizard, step: res.step, answers, problems: res.problems ?? [] });
      }
    } catch (err) {
      const problems = err instanceof ApiError ? err.problems : [];
      setWizard({
        ...wizard,
        answers,
        problems: problems.length
          ? problems
          : [{ code: "E", message: (err as Error).message, pointer: "", severity: "error" }],
      });
    } finally {
      setBusy(false);
    }
  };

  const onSuggestion = (s: Suggestion, entryKey: string) => {
    if (s.action === "apply_patch" && s.ops) void applyOps(s.ops, s.label.replace(/`/g, ""), null, undefined);
    else if (s.action === "open_wizard" && s.wizard) void openWizard(s.wizard);
    else if (s.action === "run_node" && s.node_id) void runNode(s.node_id, s.input ?? {});
    else if (s.action === "focus_node" && s.node_id) onFocusNode?.(s.node_id);
    else if (s.action === "send" && s.message) void send(s.message);
    void entryKey;
  };

  const clear = async () => {
    await CopilotApi.clear(workflow.id).catch(() => undefined);
    setEntries([]);
    setConversationId(null);
    setUsage(null);
  };

  const errors = problems.filter((p) => p.severity === "error");
  return (
    <div className="cv-cp" data-testid="copilot-panel">
      <div className="cv-cp-head">
        <span
          className={`cv-badge cv-cp-engine ${status?.engine ?? ""}`}
          data-testid="copilot-engine"
          title={status?.engine === "offline" ? status.reason : status?.conn_id}
        >
          {status ? (status.engine === "llm" ? `LLM · ${status.model}` : "Offline") : "…"}
        </span>
        {usage && (usage.prompt_tokens > 0 || usage.completion_tokens > 0) && (
          <span className="cv-help" data-testid="copilot-usage">
            {usage.prompt_tokens + usage.completion_tokens} tokens
            {usage.cost ? ` · $${usage.cost.toFixed(4)}` : ""}
          </span>
        )}
        <span className="cv-spacer" style={{ flex: 1 }} />
        <button
          className="cv-btn small"
          onClick={() => void send("templates")}
          disabled={busy}
          data-testid="copilot-templates"
        >
          Templates
        </button>
        <select
          className="cv-select cv-cp-wizard-pick"
          value=""
          disabled={busy || readOnly}
          data-testid="copilot-wizard-pick"
          onChange={(e) => e.target.value && void openWizard(e.target.value)}
        >
          <option value="">Wizards…</option>
          {wizards.map((w) => (
            <option key={w.name} value={w.name}>
              {w.title}
            </option>
          ))}
        </select>
        <button
          className="cv-btn small"
          onClick={() => void clear()}
          disabled={busy}
          title="Forget this conversation"
        >
          Clear
        </button>
      </div>
      <div className="cv-cp-list" data-testid="copilot-messages">
        {entries.length === 0 && !wizard && (
          <div className="cv-help cv-cp-empty">
            Ask about this workflow, or give a command such as{" "}
            <code>add agent node summarize after fetch</code>. Type <code>help</code> for everything the
            offline co-pilot understands.
          </div>
        )}
        {entries.map((e) => (
          <div
            key={e.key}
            className={`cv-cp-msg ${e.role}`}
            data-testid={`copilot-msg-${e.role}`}
            data-streaming={e.streaming ? "true" : "false"}
          >
            {e.role === "user" && <div className="cv-cp-bubble">{e.text}</div>}
            {e.role === "system" && <div className="cv-cp-note">{e.text}</div>}
            {e.role === "assistant" && (
              <div className="cv-cp-answer">
                {e.reply ? (
                  e.reply.parts.map((p, i) => (
                    <PartView key={i} part={p} busy={busy} onSuggestion={(s) => onSuggestion(s, e.key)} />
                  ))
                ) : (
                  <Markdown text={e.text || (e.streaming ? "…" : "")} />
                )}
                {e.status && <div className="cv-help">{e.status}</div>}
                {e.reply?.proposal && (
                  <ProposalView
                    proposal={e.reply.proposal}
                    current={workflow}
                    outcome={e.outcome}
                    readOnly={readOnly}
                    busy={busy}
                    onApply={() =>
                      void applyOps(
                        e.reply!.proposal!.ops,
                        e.reply!.proposal!.summary,
                        e.reply!.proposal!.id,
                        e.key,
                      )
                    }
                    onReject={() => {
                      patchEntry(e.key, (x) => ({ ...x, outcome: "rejected" }));
                      onPreview?.(null);
                    }}
                    onPreview={onPreview}
                  />
                )}
              </div>
            )}
          </div>
        ))}
        {wizard && (
          <WizardForm
            key={`${wizard.name}-${wizard.step.index}`}
            title={wizard.title}
            step={wizard.step}
            answers={wizard.answers}
            steps={wizards.find((w) => w.name === wizard.name)?.steps ?? wizard.step.index + 1}
            problems={wizard.problems}
            busy={busy}
            onNext={(a) => void wizardNext(a)}
            onCancel={() => setWizard(null)}
          />
        )}
        <div ref={listEnd} />
      </div>
      {(errors.length > 0 || runErrors.length > 0) && (
        <div className="cv-cp-quick">
          {errors.length > 0 && (
            <button
              className="cv-btn small"
              disabled={busy}
              data-testid="copilot-explain-errors"
              onClick={() => void send("explain errors")}
            >
              Explain {errors.length} error(s)
            </button>
          )}
          {runErrors.slice(0, 3).map((r) => (
            <button
              key={r.node_id}
              className="cv-btn small"
              disabled={busy}
              data-testid={`copilot-explain-${r.node_id}`}
              onClick={() => void send(`why did ${r.node_id} fail?`)}
            >
              Why did {r.node_id} fail?
            </button>
          ))}
        </div>
      )}
      <form
        className="cv-cp-input"
        onSubmit={(e) => {
          e.preventDefault();
          void send(input);
        }}
      >
        <textarea
          className="cv-textarea"
          data-testid="copilot-input"
          value={input}
          placeholder={
            selection.nodes.length
              ? `Ask about ${selection.nodes.length} selected node(s)…`
              : "Ask the co-pilot…"
          }
          onChange={(e) => setInput(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey) {
              e.preventDefault();
              void send(input);
            }
          }}
        />
        <button
          type="submit"
          className="cv-btn primary"
          disabled={busy || !input.trim()}
          data-testid="copilot-send"
        >
          Send
        </button>
      </form>
    </div>
  );
}
