// Example requests for the empty chat, built from the workflow on screen, so every node named in
// them exists (an example naming a node that is not there teaches people the wrong thing).
import type { Workflow } from "../spec/types";

export function examplesFor(wf: Workflow): string[] {
  const nodes = wf.nodes ?? [];
  if (nodes.length === 0) return ["add input node start", "templates"];
  // The last node in run order is a natural place to add after; an agent is what people tune.
  const targets = new Set((wf.edges ?? []).map((e) => e.target));
  const sources = new Set((wf.edges ?? []).map((e) => e.source));
  const last = nodes.find((n) => targets.has(n.id) && !sources.has(n.id)) ?? nodes[nodes.length - 1];
  const tuned = nodes.find((n) => n.type === "agent" || n.type === "tool") ?? nodes[0];
  return [
    `add agent node summarize after ${last.id}`,
    `set retries of ${tuned.id} to 3`,
    `explain node ${tuned.id}`,
  ];
}
