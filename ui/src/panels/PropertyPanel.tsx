// The property panel: forms for the selected node, edge or group, or the workflow itself.
// Every change goes through `change(next, coalesceKey)` = one undoable step per field burst.
import { useState } from "react";
import { FieldInput, JsonEditor, SchemaForm } from "../forms/SchemaForm";
import {
  AGENT_SCHEMA,
  EXECUTION_POLICY_SCHEMA,
  RETRY_POLICY_SCHEMA,
  fieldsFromSchema,
} from "../forms/schema";
import type {
  EdgeKind,
  FieldMapping,
  JsonSchema,
  Problem,
  SpecEdge,
  SpecGroup,
  SpecNode,
  Workflow,
} from "../spec/types";
import { EDGE_KINDS, edgeKey } from "../spec/types";
import { renameNodeId, ungroup, updateEdge, updateGroup, updateNode } from "../state/ops";
import { errorsUnder, fieldProblems } from "../state/problems";
import { Markdown } from "../ui/Markdown";
import { NodeRunSection, type NodeRunProps } from "./NodeRunSection";

export interface Selection {
  nodes: string[];
  edges: string[];
  groups: string[];
}

interface PanelProps {
  wf: Workflow;
  selection: Selection;
  problems: Problem[];
  readOnly: boolean;
  change: (next: Workflow, key?: string) => void;
  select: (sel: Selection) => void;
  nodeSchemas: Record<string, JsonSchema>;
  toolRefs: string[];
  run: Omit<NodeRunProps, "node">;
  /** Whether the user holds Canvas Code (GET /me): without it a save that adds or alters code is refused. */
  canWriteCode?: boolean;
}

export function PropertyPanel(props: PanelProps) {
  const { wf, selection } = props;
  if (selection.nodes.length === 1 && selection.edges.length === 0) {
    const node = wf.nodes.find((n) => n.id === selection.nodes[0]);
    if (node) return <NodePanel key={node.id} {...props} node={node} />;
  }
  if (selection.edges.length === 1 && selection.nodes.length === 0) {
    const edge = wf.edges.find((e) => edgeKey(e) === selection.edges[0]);
    if (edge) return <EdgePanel key={edgeKey(edge)} {...props} edge={edge} />;
  }
  if (selection.groups.length === 1 && selection.nodes.length === 0) {
    const group = wf.groups.find((g) => g.id === selection.groups[0]);
    if (group) return <GroupPanel key={group.id} {...props} group={group} />;
  }
  if (selection.nodes.length + selection.edges.length + selection.groups.length > 1) {
    return (
      <div data-testid="panel-multi">
        <p>
          {selection.nodes.length} nodes, {selection.edges.length} edges, {selection.groups.length} groups
          selected.
        </p>
        <p className="cv-help">Ctrl+G groups them, Delete removes them, Ctrl+C copies them.</p>
      </div>
    );
  }
  return <WorkflowPanel {...props} />;
}

function ProblemList({ problems }: { problems: Problem[] }) {
  if (!problems.length) return null;
  return (
    <div data-testid="panel-problems">
      {problems.map((p, i) => (
        <div key={i} className="cv-alert">
          <strong>{p.code}</strong>: {p.message}
          {p.hint && <div className="cv-hint">Hint: {p.hint}</div>}
        </div>
      ))}
    </div>
  );
}

function TextField({
  label,
  value,
  onChange,
  readOnly,
  testId,
  error,
  hint,
  multiline,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  readOnly: boolean;
  testId: string;
  error?: Problem;
  hint?: string;
  multiline?: boolean;
}) {
  const field = {
    key: testId,
    label,
    kind: multiline ? "text" : "string",
    required: false,
    nullable: true,
  } as const;
  return (
    <FieldInput
      field={field}
      value={value}
      onCommit={(v) => onChange(String(v ?? ""))}
      readOnly={readOnly}
      testId={testId}
      error={error?.message}
      hint={error?.hint ?? hint}
    />
  );
}

function DescriptionField({
  value,
  onChange,
  readOnly,
  testId,
}: {
  value: string;
  onChange: (v: string) => void;
  readOnly: boolean;
  testId: string;
}) {
  const [preview, setPreview] = useState(false);
  return (
    <div className="cv-field">
      <div className="cv-row">
        <label style={{ fontWeight: 600, fontSize: 12 }}>Description (Markdown)</label>
        <span style={{ flex: 1 }} />
        <button
          className="cv-btn small"
          data-testid={`${testId}-preview-toggle`}
          onClick={() => setPreview(!preview)}
        >
          {preview ? "Edit" : "Preview"}
        </button>
      </div>
      {preview ? (
        <Markdown text={value} />
      ) : (
        <textarea
          className="cv-textarea"
          data-testid={testId}
          value={value}
          readOnly={readOnly}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </div>
  );
}

function NodePanel({
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
      </div>
      <ProblemList problems={nodeProblems} />
      {node.type === "tool" && (
        <div className="cv-section">
          <h3>Tool</h3>
          <div className="cv-field">
            <label>Tool (name@version)</label>
            <input
              className={`cv-input ${fields.tool ? "invalid" : ""}`}
              data-testid="prop-tool"
              list="cv-tool-refs"
              value={node.tool ?? ""}
              readOnly={readOnly}
              onChange={(e) => set({ tool: e.target.value || null }, "tool")}
            />
            <datalist id="cv-tool-refs">
              {toolRefs.map((r) => (
                <option key={r} value={r} />
              ))}
            </datalist>
            {fields.tool && (
              <span className="cv-error" data-testid="prop-tool-error">
                {fields.tool.message}
              </span>
            )}
            {fields.tool?.hint && <span className="cv-hint">{fields.tool.hint}</span>}
          </div>
        </div>
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
      <NodeRunSection {...run} node={node} />
    </div>
  );
}

function EdgePanel({ wf, edge, problems, readOnly, change }: PanelProps & { edge: SpecEdge }) {
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

function GroupPanel({ wf, group, problems, readOnly, change, select }: PanelProps & { group: SpecGroup }) {
  const fields = fieldProblems(problems, wf, { group: group.id });
  const set = (patch: Partial<SpecGroup>, k: string) =>
    change(updateGroup(wf, group.id, patch), `group:${group.id}:${k}`);
  return (
    <div data-testid="panel-group" data-group={group.id}>
      <div className="cv-section">
        <h3>Group {group.id}</h3>
        <TextField
          label="Label"
          value={group.label ?? ""}
          onChange={(v) => set({ label: v }, "label")}
          readOnly={readOnly}
          testId="prop-group-label"
          error={fields.label}
        />
        <div className="cv-field">
          <label>Mode</label>
          <select
            className="cv-select"
            data-testid="prop-group-mode"
            value={group.mode ?? "parallel"}
            disabled={readOnly}
            onChange={(e) => set({ mode: e.target.value as "sequential" | "parallel" }, "mode")}
          >
            <option value="parallel">parallel (members run as their edges allow)</option>
            <option value="sequential">sequential (members run one after another)</option>
          </select>
        </div>
        <div className="cv-field">
          <label>Parent group</label>
          <select
            className="cv-select"
            value={group.parent ?? ""}
            disabled={readOnly}
            onChange={(e) => set({ parent: e.target.value || null }, "parent")}
          >
            <option value="">(top level)</option>
            {wf.groups
              .filter((g) => g.id !== group.id)
              .map((g) => (
                <option key={g.id} value={g.id}>
                  {g.label || g.id}
                </option>
              ))}
          </select>
        </div>
        <label className="cv-row">
          <input
            type="checkbox"
            data-testid="prop-group-collapsed"
            checked={Boolean(group.collapsed)}
            disabled={readOnly}
            onChange={(e) => set({ collapsed: e.target.checked }, "collapsed")}
          />{" "}
          collapsed
        </label>
        <DescriptionField
          value={group.description ?? ""}
          onChange={(v) => set({ description: v }, "description")}
          readOnly={readOnly}
          testId="prop-group-description"
        />
        {!readOnly && (
          <button
            className="cv-btn"
            data-testid="ungroup"
            onClick={() => {
              change(ungroup(wf, group.id));
              select({ nodes: [], edges: [], groups: [] });
            }}
          >
            Ungroup
          </button>
        )}
      </div>
      <ProblemList problems={Object.values(fields)} />
    </div>
  );
}

function WorkflowPanel({ wf, problems, readOnly, change }: PanelProps) {
  const top = problems.filter((p) => !p.node_id && !p.edge_id && !p.group_id);
  const schedule = wf.triggers?.schedule ?? null;
  const setSchedule = (next: typeof schedule) =>
    change({ ...wf, triggers: { ...wf.triggers, schedule: next } }, "wf:schedule");
  return (
    <div data-testid="panel-workflow">
      <div className="cv-section">
        <h3>Workflow {wf.id}</h3>
        <TextField
          label="Name"
          value={wf.name ?? ""}
          onChange={(v) => change({ ...wf, name: v }, "wf:name")}
          readOnly={readOnly}
          testId="prop-wf-name"
        />
        <DescriptionField
          value={wf.description ?? ""}
          onChange={(v) => change({ ...wf, description: v }, "wf:description")}
          readOnly={readOnly}
          testId="prop-wf-description"
        />
        <TextField
          label="Tags (comma separated)"
          value={(wf.tags ?? []).join(", ")}
          readOnly={readOnly}
          testId="prop-wf-tags"
          onChange={(v) =>
            change(
              {
                ...wf,
                tags: v
                  .split(",")
                  .map((s) => s.trim())
                  .filter(Boolean),
              },
              "wf:tags",
            )
          }
        />
        <div className="cv-field">
          <label>Schedule</label>
          <div className="cv-row">
            <select
              className="cv-select"
              style={{ width: 110 }}
              data-testid="prop-wf-schedule-kind"
              value={schedule?.kind ?? ""}
              disabled={readOnly}
              onChange={(e) =>
                setSchedule(
                  e.target.value
                    ? { kind: e.target.value as "cron", value: schedule?.value ?? "@daily" }
                    : null,
                )
              }
            >
              <option value="">manual only</option>
              <option value="preset">preset</option>
              <option value="cron">cron</option>
              <option value="interval">interval</option>
            </select>
            {schedule && (
              <input
                className="cv-input"
                data-testid="prop-wf-schedule-value"
                value={schedule.value}
                readOnly={readOnly}
                onChange={(e) => setSchedule({ ...schedule, value: e.target.value })}
              />
            )}
          </div>
        </div>
      </div>
      <ProblemList problems={top} />
      <p className="cv-help">
        Select a node, connection or group to edit it. Drag nodes from the palette; connect the colored
        handles (circle = data flow, square = dependency, diamond = trigger).
      </p>
    </div>
  );
}
