// What the co-pilot's answers let people do: apply a proposal (checked by the server against the
// workflow on screen, then handed to the host as one change), run a node with mock input, step
// through a wizard, and follow a suggestion button.
import { useEffect, useRef, useState } from "react";
import { Api, ApiError } from "../api/client";
import type { Problem, Workflow } from "../spec/types";
import { CopilotApi } from "./api";
import type { Proposal, Suggestion, WizardInfo, WizardStep } from "./types";
import type { ConversationState } from "./useConversation";

export interface WizardState {
  name: string;
  title: string;
  step: WizardStep;
  answers: Record<string, unknown>;
  problems: Problem[];
}

export interface ProposalHost {
  workflow: Workflow;
  readOnly: boolean;
  /** Apply a proposed workflow (validated by the co-pilot) as one change. */
  applySpec: (next: Workflow, description: string) => void;
  /** What the chat says after an apply: how to undo or keep it, in the host's terms. */
  appliedNote: string;
  onFocusNode?: (nodeId: string) => void;
  onRunNode?: (nodeId: string, input: Record<string, unknown>) => void;
  onPreview?: (proposal: Proposal | null) => void;
}

const NO_USAGE = { prompt_tokens: 0, completion_tokens: 0, cost: 0 };

function errorText(err: unknown): string {
  return err instanceof ApiError
    ? `${err.detail} ${err.problems.map((p) => p.message).join("; ")}`
    : (err as Error).message;
}

export function useProposalActions(host: ProposalHost, chat: ConversationState) {
  const { readOnly, applySpec, appliedNote, onFocusNode, onRunNode, onPreview } = host;
  const { conversationId, setBusy, push, patchEntry, send } = chat;
  const [wizards, setWizards] = useState<WizardInfo[]>([]);
  const [wizard, setWizard] = useState<WizardState | null>(null);
  const workflowRef = useRef(host.workflow);
  workflowRef.current = host.workflow;

  useEffect(() => {
    CopilotApi.wizards()
      .then(setWizards)
      .catch(() => setWizards([]));
  }, []);

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
      const what = (res.changes.join(" ").replace(/`/g, "") || summary).replace(/\.+$/, "");
      push({ role: "system", text: `Applied: ${what}. ${appliedNote}` });
    } catch (err) {
      push({ role: "system", text: `Could not apply: ${errorText(err)}` });
    } finally {
      setBusy(false);
    }
  };

  const applyProposal = (proposal: Proposal, entryKey: string) =>
    void applyOps(proposal.ops, proposal.summary, proposal.id, entryKey);

  const rejectProposal = (entryKey: string) => {
    patchEntry(entryKey, (x) => ({ ...x, outcome: "rejected" }));
    onPreview?.(null);
  };

  const runNode = async (nodeId: string, mock: Record<string, unknown>) => {
    if (onRunNode) return onRunNode(nodeId, mock);
    setBusy(true);
    try {
      const out = await Api.testNode(workflowRef.current, nodeId, mock);
      push({
        role: "assistant",
        text: "",
        reply: {
          engine: "offline",
          error: null,
          proposal: null,
          usage: NO_USAGE,
          parts: [
            { type: "text", markdown: `Ran \`${nodeId}\` alone with the mock input:` },
            { type: "code", language: "json", code: JSON.stringify(out, null, 2), title: "" },
          ],
        },
      });
    } catch (err) {
      push({ role: "system", text: `Running ${nodeId} failed: ${(err as Error).message}` });
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
      push({ role: "system", text: `The wizard could not start: ${(err as Error).message}` });
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
        push({
          role: "assistant",
          text: "",
          reply: {
            engine: "offline",
            error: null,
            proposal,
            usage: NO_USAGE,
            parts: [{ type: "text", markdown: `${proposal.summary}. Review it and apply it, or reject it.` }],
          },
        });
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
          : [
              {
                code: "E",
                message: (err as Error).message,
                pointer: "",
                severity: "error",
                node_id: null,
                edge_id: null,
                group_id: null,
                hint: null,
              },
            ],
      });
    } finally {
      setBusy(false);
    }
  };

  const onSuggestion = (s: Suggestion) => {
    if (s.action === "apply_patch" && s.ops) void applyOps(s.ops, s.label.replace(/`/g, ""), null);
    else if (s.action === "open_wizard" && s.wizard) void openWizard(s.wizard);
    else if (s.action === "run_node" && s.node_id) void runNode(s.node_id, s.input ?? {});
    else if (s.action === "focus_node" && s.node_id) onFocusNode?.(s.node_id);
    else if (s.action === "send" && s.message) void send(s.message);
  };

  return {
    wizards,
    wizard,
    closeWizard: () => setWizard(null),
    openWizard: (name: string) => void openWizard(name),
    wizardNext: (answers: Record<string, unknown>) => void wizardNext(answers),
    applyProposal,
    rejectProposal,
    onSuggestion,
  };
}
