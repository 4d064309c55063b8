// The chat as the panel shows it: the user's messages, the co-pilot's answers (text, code,
// diagrams, clickable suggestions, a proposal with its preview), notes, and an open wizard.
import { useEffect, useRef, type ReactNode } from "react";
import type { Workflow } from "../spec/types";
import { CodeBlock } from "./CodeBlock";
import { SubgraphDiagram } from "./Diagram";
import { Markdown } from "./markdown";
import { ProposalView } from "./ProposalView";
import type { ChatEntry, Part, Proposal, Suggestion } from "./types";

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

export interface MessageListProps {
  entries: ChatEntry[];
  workflow: Workflow;
  readOnly: boolean;
  busy: boolean;
  /** Shown when the chat is empty. */
  empty: ReactNode;
  /** An open wizard, drawn after the messages, and what identifies its step. */
  wizard: ReactNode;
  wizardKey: string | null;
  onSuggestion: (s: Suggestion) => void;
  onApply: (proposal: Proposal, entryKey: string) => void;
  onReject: (entryKey: string) => void;
  onPreview?: (proposal: Proposal | null) => void;
}

export function MessageList(props: MessageListProps) {
  const { entries, workflow, readOnly, busy, empty, wizard, wizardKey } = props;
  const { onSuggestion, onApply, onReject, onPreview } = props;
  const listEnd = useRef<HTMLDivElement | null>(null);
  useEffect(() => {
    listEnd.current?.scrollIntoView?.({ block: "end" });
  }, [entries, wizardKey]);
  return (
    <div className="cv-cp-list" data-testid="copilot-messages">
      {entries.length === 0 && !wizard && <div className="cv-help cv-cp-empty">{empty}</div>}
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
                  <PartView key={i} part={p} busy={busy} onSuggestion={onSuggestion} />
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
                  onApply={() => onApply(e.reply!.proposal!, e.key)}
                  onReject={() => onReject(e.key)}
                  onPreview={onPreview}
                />
              )}
            </div>
          )}
        </div>
      ))}
      {wizard}
      <div ref={listEnd} />
    </div>
  );
}
