// The property panel of one edge: its kind and the field mapping from source to target.
import type { EdgeKind, FieldMapping, SpecEdge } from "../spec/types";
import { EDGE_KINDS, edgeKey } from "../spec/types";
import { updateEdge } from "../state/ops";
import { fieldProblems } from "../state/problems";
import type { PanelProps } from "./PropertyPanel";
import { ProblemList, TextField } from "./fields";

export function EdgePanel({ wf, edge, problems, readOnly, change }: PanelProps & { edge: SpecEdge }) {
  const key = edgeKey(edge);
  const fields = fieldProblems(problems, wf, { edge: key });
  const set = (patch: Partial<SpecEdge>, k: string) => change(updateEdge(wf, key, patch), `edge:${key}:${k}`);
  const mapping = edge.mapping ?? [];
  const setMapping = (rows: FieldMapping[]) => set({ mapping: rows }, "mapping");
  return (
    <div data-testid="panel-edge" data-edge={key}>
      <div className="cv-section">
        <h3>
          Connection {edge.source} → {edge.target}
        </h3>
        <div className="cv-field">
          <label>Kind</label>
          <select
            className="cv-select"
            data-testid="prop-edge-kind"
            value={edge.kind ?? "data_flow"}
            disabled={readOnly}
            onChange={(e) => set({ kind: e.target.value as EdgeKind }, "kind")}
          >
            {EDGE_KINDS.map((k) => (
              <option key={k} value={k}>
                {k.replace("_", " ")}
              </option>
            ))}
          </select>
        </div>
        <TextField
          label="Label"
          value={edge.label ?? ""}
          onChange={(v) => set({ label: v }, "label")}
          readOnly={readOnly}
          testId="prop-edge-label"
          error={fields.label}
        />
        <TextField
          label="Condition (JMESPath over the source's output; runs the target only if truthy)"
          value={edge.condition ?? ""}
          readOnly={readOnly}
          testId="prop-edge-condition"
          error={fields.condition}
          onChange={(v) => set({ condition: v || null }, "condition")}
        />
      </div>
      <ProblemList problems={Object.values(fields)} />
      <div className="cv-section">
        <h3>Mapping (source field → target input)</h3>
        {mapping.map((m, i) => (
          <div key={i} className="cv-mapping-row" data-testid={`mapping-row-${i}`}>
            <input
              className="cv-input"
              placeholder="source (blank = all)"
              value={m.source ?? ""}
              readOnly={readOnly}
              data-testid={`mapping-source-${i}`}
              onChange={(e) =>
                setMapping(mapping.map((r, j) => (j === i ? { ...r, source: e.target.value } : r)))
              }
            />
            <input
              className={`cv-input ${fields[`mapping/${i}/target`] ? "invalid" : ""}`}
              placeholder="target field"
              value={m.target}
              readOnly={readOnly}
              data-testid={`mapping-target-${i}`}
              onChange={(e) =>
                setMapping(mapping.map((r, j) => (j === i ? { ...r, target: e.target.value } : r)))
              }
            />
            <input
              className="cv-input"
              placeholder="transform (JMESPath)"
              value={m.transform ?? ""}
              readOnly={readOnly}
              data-testid={`mapping-transform-${i}`}
              onChange={(e) =>
                setMapping(mapping.map((r, j) => (j === i ? { ...r, transform: e.target.value || null } : r)))
              }
            />
            {!readOnly && (
              <button
                className="cv-btn small"
                title="Remove"
                onClick={() => setMapping(mapping.filter((_, j) => j !== i))}
              >
                ×
              </button>
            )}
          </div>
        ))}
        {!readOnly && (
          <button
            className="cv-btn small"
            data-testid="mapping-add"
            onClick={() => setMapping([...mapping, { source: "", target: "" }])}
          >
            + Add mapping
          </button>
        )}
      </div>
    </div>
  );
}
