// The property panel of one group: label, mode, parent group, collapsed, description, ungroup.
import { ChainBadge } from "../chains/ChainBadge";
import { requestChain } from "../chains/store";
import type { SpecGroup } from "../spec/types";
import { ungroup, updateGroup } from "../state/ops";
import { fieldProblems } from "../state/problems";
import type { PanelProps } from "./PropertyPanel";
import { DescriptionField, ProblemList, TextField } from "./fields";

export function GroupPanel({
  wf,
  group,
  problems,
  readOnly,
  change,
  select,
}: PanelProps & { group: SpecGroup }) {
  const fields = fieldProblems(problems, wf, { group: group.id });
  const set = (patch: Partial<SpecGroup>, k: string) =>
    change(updateGroup(wf, group.id, patch), `group:${group.id}:${k}`);
  return (
    <div data-testid="panel-group" data-group={group.id}>
      <div className="cv-section">
        <h3>Group {group.id}</h3>
        {group.chain && (
          <div className="cv-field" data-testid="prop-group-chain">
            <label>From the chain library</label>
            <ChainBadge groupId={group.id} pin={group.chain} readOnly={readOnly} />
          </div>
        )}
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
            data-testid="save-as-chain"
            title="Publish this group to the chain library, to insert it into any workflow"
            onClick={() => requestChain({ kind: "save-chain", from: { groupId: group.id } })}
          >
            Save as chain…
          </button>
        )}
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
