// Drag a node type (or a registered tool) onto the canvas; a click adds it in the middle.
import type { NodeType } from "../spec/types";
import { NODE_TYPES } from "../spec/types";
import { NodeIcon, TYPE_LABEL } from "./icons";

export const DRAG_MIME = "application/x-airflow-canvas-node";

export interface PaletteEntry {
  type: NodeType;
  label: string;
  extra?: Record<string, unknown>;
  testId: string;
}

export interface ToolInfo {
  name: string;
  version: string;
  description?: string;
}

export function Palette({ tools, onAdd }: { tools: ToolInfo[]; onAdd: (e: PaletteEntry) => void }) {
  const entries: PaletteEntry[] = NODE_TYPES.map((t) => ({
    type: t,
    label: TYPE_LABEL[t],
    testId: `palette-${t}`,
  }));
  const toolEntries: PaletteEntry[] = tools.map((t) => ({
    type: "tool",
    label: `${t.name}@${t.version}`,
    extra: { tool: `${t.name}@${t.version}`, name: t.name },
    testId: `palette-tool-${t.name}`,
  }));
  const item = (e: PaletteEntry) => (
    <div
      key={e.testId}
      className="cv-palette-item"
      draggable
      data-testid={e.testId}
      title={`Drag onto the canvas (or click) to add a ${e.label} node`}
      onDragStart={(ev) => {
        ev.dataTransfer.setData(DRAG_MIME, JSON.stringify({ type: e.type, extra: e.extra ?? {} }));
        ev.dataTransfer.effectAllowed = "copy";
      }}
      onClick={() => onAdd(e)}
    >
      <span className={`cv-node-icon t-${e.type}`} style={{ width: 20, height: 20 }}>
        <NodeIcon type={e.type} size={12} />
      </span>
      <span style={{ overflow: "hidden", textOverflow: "ellipsis" }}>{e.label}</span>
    </div>
  );
  return (
    <aside className="cv-palette" data-testid="palette">
      <h4>Nodes</h4>
      {entries.map(item)}
      {toolEntries.length > 0 && <h4>Tools</h4>}
      {toolEntries.map(item)}
    </aside>
  );
}
