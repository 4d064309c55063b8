// The property panel of one node: id, group, its type's settings (process, tool, agent), schemas,
// execution policy, and the test run section.
import { useState } from "react";
import { JsonEditor, SchemaForm } from "../forms/SchemaForm";
import {
  AGENT_SCHEMA,
  EXECUTION_POLICY_SCHEMA,
  RETRY_POLICY_SCHEMA,
  fieldsFromSchema,
} from "../forms/schema";
import { NODE_COLORS, NODE_SHAPES, drawableColor, type NodeShape } from "../canvas/nodeLook";
import type { SpecNode } from "../spec/types";
import { renameNodeId, updateNode } from "../state/ops";
import { errorsUnder, fieldProblems } from "../state/problems";
import { NodeRunSection } from "./NodeRunSection";
import { NodeRunDetails } from "../runs/NodeRunDetails";
import { OperatorSection } from "./OperatorSection";
import { ToolSection } from "./ToolSection";
import type { PanelProps } from "./PropertyPanel";
import { DescriptionField, ProblemList, TextField } from "./fields";

export function NodePanel({
  wf,
  node,
  problems,
  readOnly,
  change,
  nodeSchemas,
  toolRefs,
  run,
  canWriteCode,
}: PanelProps & { node: SpecNode }) {
  const fields = fieldProblems(problems, wf, { node: node.id });
  const set = (patch: Partial<SpecNode>, key: string) =>
    change(updateNode(wf, node.id, patch), `node:${node.id}:${key}`);
  const paramSchema = nodeSchemas[node.type] ?? (node.tool ? nodeSchemas[`tool:${node.tool}`] : undefined);
  const params = errorsUnder(fields, "parameters");
  const exec = errorsUnder(fields, "execution");
  const agent = errorsUnder(fields, "agent");
  const [idText, setIdText] = useState(node.id);
  const nodeProblems = problems.filter((p) => Object.values(fields).includes(p));
  return (
    <div data-testid="panel-node" data-node={node.id}>
      <div className="cv-section">
        <h3>{node.type} node</h3>
        <div className="cv-field">
          <label>Id (task id)</label>
          <input
            className={`cv-input ${fields.id ? "invalid" : ""}`}
            data-testid="prop-id"
            value={idText}
            readOnly={readOnly}
            onChange={(e) => setIdText(e.target.value)}
            onBlur={() => idText !== node.id && idText.trim() && change(renameNodeId(wf, node.id, idText))}
            onKeyDown={(e) => e.key === "Enter" && (e.target as HTMLInputElement).blur()}
          />
          {fields.id && <span className="cv-error">{fields.id.message}</span>}
        </div>
        <TextField
          label="Name"
          value={node.name ?? ""}
          onChange={(v) => set({ name: v }, "name")}
          readOnly={readOnly}
          testId="prop-name"
          error={fields.name}
        />
        <DescriptionField
          value={node.description ?? ""}
          onChange={(v) => set({ description: v }, "description")}
          readOnly={readOnly}
          testId="prop-description"
        />
        <div className="cv-field">
          <label>Group</label>
          <select
            className="cv-select"
            data-testid="prop-group"
            value={node.group ?? ""}
            disabled={readOnly}
            onChange={(e) => set({ group: e.target.value || null }, "group")}
          >
            <option value="">(none)</option>
            {wf.groups.map((g) => (
              <option key={g.id} value={g.id}>
                {g.label || g.id}
              </option>
            ))}
          </select>
        </div>
        <NodeLook node={node} readOnly={readOnly} set={set} />
      </div>
      <ProblemList problems={nodeProblems} />
      {node.type === "tool" && (
        <>
          <div className="cv-section cv-param-mode">
            <label htmlFor="prop-runs">Runs</label>
            <select
              id="prop-runs"
              className="cv-select"
              data-testid="prop-runs"
              value={node.operator != null ? "operator" : "tool"}
              disabled={readOnly}
              onChange={(e) =>
                set(
                  e.target.value === "operator"
                    ? { tool: null, operator: "" }
                    : { operator: null, tool: toolRefs[0] ?? null },
                  "runs",
                )
              }
            >
              <option value="tool">a canvas tool</option>
              <option value="operator">an Airflow operator</option>
            </select>
          </div>
          {node.operator != null ? (
            <OperatorSection key={node.operator} node={node} fields={fields} readOnly={readOnly} set={set} />
          ) : (
            <ToolSection
              wf={wf}
              node={node}
              fields={fields}
              readOnly={readOnly}
              toolRefs={toolRefs}
              set={set}
            />
          )}
        </>
      )}
      {node.type === "process" && (
        <div className="cv-section">
          <h3>Process</h3>
          <div className="cv-field">
            <label>Language</label>
            <select
              className="cv-select"
              data-testid="prop-process-language"
              value={node.process?.language ?? "jmespath"}
              disabled={readOnly}
              onChange={(e) =>
                set(
                  { process: { ...node.process, language: e.target.value as "jmespath" | "python" } },
                  "process.language",
                )
              }
            >
              <option value="jmespath">JMESPath</option>
              <option value="python">Python</option>
            </select>
          </div>
          <TextField
            label="Expression"
            multiline
            value={node.process?.expression ?? "@"}
            readOnly={readOnly}
            testId="prop-process-expression"
            error={fields["process/expression"]}
            onChange={(v) => set({ process: { ...node.process, expression: v } }, "process.expression")}
          />
          {!readOnly && canWriteCode === false && (node.process?.language ?? "jmespath") !== "jmespath" && (
            <p className="cv-help" data-testid="prop-code-permission">
              Python here is executable code: saving a change to it needs the Canvas Code permission (Op or
              Admin). You can still edit everything else about this node.
            </p>
          )}
        </div>
      )}
      {node.type === "agent" && (
        <div className="cv-section">
          <h3>Agent</h3>
          <SchemaForm
            schema={AGENT_SCHEMA}
            value={(node.agent ?? {}) as Record<string, unknown>}
            readOnly={readOnly}
            testId="prop-agent"
            {...agent}
            onChange={(v, k) => set({ agent: { ...node.agent, ...v } }, `agent.${k}`)}
          />
          <TextField
            label="Tools (comma separated name@version)"
            value={(node.agent?.tools ?? []).join(", ")}
            readOnly={readOnly}
            testId="prop-agent-tools"
            onChange={(v) =>
              set(
                {
                  agent: {
                    ...node.agent,
                    tools: v
                      .split(",")
                      .map((s) => s.trim())
                      .filter(Boolean),
                  },
                },
                "agent.tools",
              )
            }
          />
        </div>
      )}
      {node.type !== "tool" && (
        <div className="cv-section">
          <h3>Parameters</h3>
          {paramSchema && fieldsFromSchema(paramSchema).length ? (
            <SchemaForm
              schema={paramSchema}
              value={node.parameters ?? {}}
              readOnly={readOnly}
              testId="prop-params"
              {...params}
              onChange={(v, k) => set({ parameters: v }, `parameters.${k}`)}
            />
          ) : (
            <JsonEditor
              value={node.parameters ?? {}}
              readOnly={readOnly}
              testId="prop-parameters"
              error={fields.parameters?.message}
              onChange={(v) => set({ parameters: v }, "parameters")}
            />
          )}
        </div>
      )}
      <div className="cv-section">
        <h3>{node.type === "input" ? "Params schema (trigger form)" : "Input schema"}</h3>
        <JsonEditor
          schemaMode
          value={node.input_schema ?? {}}
          readOnly={readOnly}
          testId="prop-input-schema"
          error={fields.input_schema?.message}
          onChange={(v) => set({ input_schema: v }, "input_schema")}
        />
        <h3 style={{ marginTop: 10 }}>Output schema</h3>
        <JsonEditor
          schemaMode
          value={node.output_schema ?? {}}
          readOnly={readOnly}
          testId="prop-output-schema"
          error={fields.output_schema?.message}
          onChange={(v) => set({ output_schema: v }, "output_schema")}
        />
      </div>
      <div className="cv-section">
        <h3>Execution policy</h3>
        <SchemaForm
          schema={EXECUTION_POLICY_SCHEMA}
          value={(node.execution ?? {}) as Record<string, unknown>}
          readOnly={readOnly}
          testId="prop-exec"
          {...exec}
          onChange={(v, k) => set({ execution: { ...v, retry: node.execution?.retry } }, `execution.${k}`)}
        />
        <h3 style={{ marginTop: 6, fontSize: 12 }}>Retry</h3>
        <SchemaForm
          schema={RETRY_POLICY_SCHEMA}
          value={(node.execution?.retry ?? {}) as Record<string, unknown>}
          readOnly={readOnly}
          testId="prop-retry"
          onChange={(v, k) => set({ execution: { ...node.execution, retry: v } }, `execution.retry.${k}`)}
        />
      </div>
      <NodeRunDetails workflowId={run.workflowId} runId={run.runId} nodeId={node.id} />
      <NodeRunSection {...run} node={node} />
    </div>
  );
}

/** Shape and colour (spec ui.shape, ui.color): the spec's shapes and a few colours, or any hex. */
function NodeLook({
  node,
  readOnly,
  set,
}: {
  node: SpecNode;
  readOnly: boolean;
  set: (patch: Partial<SpecNode>, key: string) => void;
}) {
  const ui = node.ui ?? {};
  const color = drawableColor(ui.color);
  const setUi = (patch: Partial<NonNullable<SpecNode["ui"]>>, key: string) =>
    set({ ui: { ...ui, ...patch } as SpecNode["ui"] }, `ui.${key}`);
  return (
    <>
      <div className="cv-field">
        <label>Shape</label>
        <select
          className="cv-select"
          data-testid="prop-shape"
          value={ui.shape ?? ""}
          disabled={readOnly}
          onChange={(e) => setUi({ shape: (e.target.value || null) as NodeShape | null }, "shape")}
        >
          <option value="">(by type: {node.type})</option>
          {NODE_SHAPES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      <div className="cv-field">
        <label>Colour</label>
        <div className="cv-swatches" data-testid="prop-color">
          <button
            type="button"
            className={`cv-swatch none ${color ? "" : "active"}`}
            title="No colour"
            aria-label="no colour"
            data-testid="prop-color-none"
            disabled={readOnly}
            onClick={() => setUi({ color: null }, "color")}
          />
          {NODE_COLORS.map(([hex, name]) => (
            <button
              type="button"
              key={hex}
              className={`cv-swatch ${color?.toLowerCase() === hex ? "active" : ""}`}
              style={{ background: hex }}
              title={name}
              aria-label={name}
              data-testid={`prop-color-${name}`}
              disabled={readOnly}
              onClick={() => setUi({ color: hex }, "color")}
            />
          ))}
          <input
            type="color"
            title="Another colour"
            data-testid="prop-color-custom"
            value={color && color.startsWith("#") && color.length === 7 ? color : "#888888"}
            disabled={readOnly}
            onChange={(e) => setUi({ color: e.target.value }, "color")}
          />
        </div>
      </div>
    </>
  );
}
