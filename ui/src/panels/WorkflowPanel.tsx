// The property panel of the workflow itself (nothing selected): name, description, tags, schedule.

import type { PanelProps } from "./PropertyPanel";
import { DescriptionField, ProblemList, TextField } from "./fields";

export function WorkflowPanel({ wf, problems, readOnly, change }: PanelProps) {
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
        <div className="cv-field">
          <label>Cost budget per run (USD)</label>
          <input
            className="cv-input"
            type="number"
            min={0}
            step="any"
            placeholder="no budget"
            data-testid="prop-wf-cost-budget"
            value={wf.settings?.cost_budget_usd ?? ""}
            readOnly={readOnly}
            onChange={(e) => {
              const usd = e.target.value === "" ? null : Number(e.target.value);
              if (usd !== null && !(usd > 0)) return; // the spec wants a positive amount or none
              change({ ...wf, settings: { ...wf.settings, cost_budget_usd: usd } }, "wf:cost_budget");
            }}
          />
          <span className="cv-help">
            A run that records more cost than this alerts through the workflow's notifications.
          </span>
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
