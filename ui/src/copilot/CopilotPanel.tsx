// The co-pilot panel, docked in the Canvas editor (and used by the full Co-pilot page). It sends
// each message with the context (workflow as on screen, selection, recent actions; the server adds
// validation problems and the latest run), streams the answer, and shows proposals as a preview
// diff with Apply / Reject. It never edits the workflow itself: Apply goes through the server's
// check and then `applySpec`, which the host commits as one change.
//
// The jobs live apart: useConversation (status, messages, sending), useProposalActions (apply,
// run a node, wizards, suggestions), PanelHeader, MessageList, ChatInput.
import { useEffect, useRef } from "react";
import type { Problem, Workflow } from "../spec/types";
import { ChatInput, QuickQuestions } from "./ChatInput";
import { examplesFor } from "./examples";
import { MessageList } from "./MessageList";
import { PanelHeader } from "./PanelHeader";
import { ensureCopilotStyles } from "./styles";
import type { Proposal } from "./types";
import { useConversation } from "./useConversation";
import { useProposalActions } from "./useProposalActions";
import { WizardForm } from "./WizardForm";

export interface CopilotPanelProps {
  workflow: Workflow;
  selection: { nodes: string[]; edges: string[]; groups: string[] };
  problems: Problem[];
  runErrors: { node_id: string; state: string }[];
  readOnly: boolean;
  /** Apply a proposed workflow (validated by the co-pilot) as one change. */
  applySpec: (next: Workflow, description: string) => void;
  /** What the chat says after an apply (the canvas: undo with Ctrl+Z, save to keep it). */
  appliedNote?: string;
  /** A question pre-filled from the canvas context menu ("ask the co-pilot about this node"). */
  prompt: { text: string; nonce: number } | null;
  /** Called once the prompt was sent, so it is not sent again when the panel mounts again. */
  onPromptTaken?: () => void;
  /** Optional: select and center a node on the canvas. */
  onFocusNode?: (nodeId: string) => void;
  /** Optional: open the editor's "run this node" form with mock input (else the panel runs it). */
  onRunNode?: (nodeId: string, input: Record<string, unknown>) => void;
  /** Optional: show a proposal on the canvas as a diff (null = back to the workflow). */
  onPreview?: (proposal: Proposal | null) => void;
}

export function CopilotPanel(props: CopilotPanelProps) {
  const { workflow, selection, problems, runErrors, readOnly, prompt, onPromptTaken } = props;
  ensureCopilotStyles();
  const chat = useConversation(workflow, selection);
  const actions = useProposalActions(
    { ...props, appliedNote: props.appliedNote ?? "Undo with Ctrl+Z; save to keep it." },
    chat,
  );
  const { busy, resumed, send } = chat;
  const promptSent = useRef<number | null>(null);

  // "Ask the co-pilot" from the canvas context menu: once the conversation is resumed (so the
  // question continues it rather than starting another), and only once per prompt.
  useEffect(() => {
    if (!prompt || !resumed || busy || promptSent.current === prompt.nonce) return;
    promptSent.current = prompt.nonce;
    void send(prompt.text);
    onPromptTaken?.();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- sends each prompt once (by nonce); `send` changes with every turn and must not re-send it
  }, [prompt?.nonce, resumed, busy]);

  const { wizard } = actions;
  const examples = examplesFor(workflow);
  return (
    <div className="cv-cp" data-testid="copilot-panel">
      <PanelHeader
        status={chat.status}
        usage={chat.usage}
        wizards={actions.wizards}
        busy={busy}
        readOnly={readOnly}
        onTemplates={() => void send("templates")}
        onWizard={actions.openWizard}
        onClear={() => void chat.clear()}
      />
      <MessageList
        entries={chat.entries}
        workflow={workflow}
        readOnly={readOnly}
        busy={busy}
        onSuggestion={actions.onSuggestion}
        onApply={actions.applyProposal}
        onReject={actions.rejectProposal}
        onPreview={props.onPreview}
        empty={
          <span data-testid="copilot-examples">
            Ask about this workflow or say what to change, for example{" "}
            {examples.map((x, i) => (
              <span key={x}>
                {i > 0 && ", "}
                <code>{x}</code>
              </span>
            ))}
            . Type <code>help</code> for everything the offline co-pilot understands.
          </span>
        }
        wizardKey={wizard ? `${wizard.name}-${wizard.step.index}` : null}
        wizard={
          wizard && (
            <WizardForm
              key={`${wizard.name}-${wizard.step.index}`}
              title={wizard.title}
              step={wizard.step}
              answers={wizard.answers}
              steps={actions.wizards.find((w) => w.name === wizard.name)?.steps ?? wizard.step.index + 1}
              problems={wizard.problems}
              busy={busy}
              onNext={actions.wizardNext}
              onCancel={actions.closeWizard}
            />
          )
        }
      />
      <QuickQuestions
        errorCount={problems.filter((p) => p.severity === "error").length}
        failedNodes={runErrors.map((r) => r.node_id)}
        busy={busy}
        send={(text) => void send(text)}
      />
      <ChatInput
        busy={busy}
        send={(text) => void send(text)}
        placeholder={
          selection.nodes.length
            ? `Ask about ${selection.nodes.length} selected node(s)…`
            : "Ask the co-pilot…"
        }
      />
    </div>
  );
}
