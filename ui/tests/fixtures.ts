import type { Workflow } from "../src/spec/types";

export function sample(): Workflow {
  return {
    id: "wf",
    name: "Sample",
    nodes: [
      { id: "ask", type: "input", ui: { position: { x: 0, y: 0 } } },
      { id: "fetch", type: "tool", tool: "http_get@1.0.0", ui: { position: { x: 300, y: 0 } } },
      { id: "think", type: "agent", group: "g1", ui: { position: { x: 600, y: 0 } } },
      { id: "shape", type: "process", group: "g1", ui: { position: { x: 600, y: 150 } } },
      { id: "done", type: "output", ui: { position: { x: 900, y: 0 } } },
    ],
    edges: [
      { source: "ask", target: "fetch", kind: "data_flow" },
      { source: "fetch", target: "think", kind: "data_flow" },
      { source: "think", target: "shape", kind: "dependency" },
      { source: "shape", target: "done", kind: "data_flow", label: "result" },
    ],
    groups: [{ id: "g1", label: "Brain", mode: "sequential" }],
  };
}
