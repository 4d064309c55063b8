// Mount point for the co-pilot (owned by the co-pilot engineer, who replaces this file).
// The editor renders <CopilotPanel/> in the right dock's "Co-pilot" tab and passes it everything it
// needs; `applySpec` applies a whole proposed workflow as ONE undoable step.
import type { Problem, Workflow } from "../spec/types";

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
}

export function CopilotPanel({ prompt }: CopilotPanelProps) {
  return (
    <div data-testid="copilot-panel">
      <p className="cv-help">The co-pilot is not installed in this build.</p>
      {prompt && <p>Question: {prompt.text}</p>}
    </div>
  );
}
