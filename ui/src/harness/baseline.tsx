// The canvas benchmark's baseline: the same workflow drawn by bare React Flow with its defaults
// (built-in "default" nodes and edges, fitView), no canvas code at all. It is built into the
// harness only (static/harness/baseline.js) and never loaded by Airflow.
import { ReactFlow, type Edge, type Node } from "@xyflow/react";
import flowCss from "@xyflow/react/dist/style.css?inline";
import { useEffect, useState } from "react";
import { createRoot } from "react-dom/client";

interface SpecLike {
  nodes: { id: string; name?: string; ui?: { position?: { x: number; y: number } } }[];
  edges: { source: string; target: string }[];
}

function toElements(spec: SpecLike): { nodes: Node[]; edges: Edge[] } {
  return {
    nodes: spec.nodes.map((n) => ({
      id: n.id,
      position: n.ui?.position ?? { x: 0, y: 0 },
      data: { label: n.name ?? n.id },
    })),
    edges: spec.edges.map((e) => ({ id: `${e.source}->${e.target}`, source: e.source, target: e.target })),
  };
}

function BareFlow({ workflow }: { workflow: string }) {
  const [elements, setElements] = useState<{ nodes: Node[]; edges: Edge[] } | null>(null);
  useEffect(() => {
    void fetch(`/airflow-canvas/api/workflows/${encodeURIComponent(workflow)}`)
      .then((r) => r.json())
      .then((body: { spec: SpecLike }) => setElements(toElements(body.spec)));
  }, [workflow]);
  if (!elements) return null;
  return (
    <div style={{ width: "100%", height: "100%" }}>
      <ReactFlow defaultNodes={elements.nodes} defaultEdges={elements.edges} fitView minZoom={0.02} />
    </div>
  );
}

export function mount(element: HTMLElement, workflow: string): void {
  const style = document.createElement("style");
  style.textContent = flowCss;
  document.head.appendChild(style);
  createRoot(element).render(<BareFlow workflow={workflow} />);
}
