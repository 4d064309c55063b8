// A group (chain): a labelled frame around its members, or one compact node when collapsed that
// shows the aggregate run state of everything inside.
import { memo, useState } from "react";
import type { Node, NodeProps } from "@xyflow/react";
import { ChainBadge } from "../chains/ChainBadge";
import { stateClass } from "../state/status";
import { useCanvasActions } from "./actions";
import { Handles } from "./CanvasNode";
import type { GroupNodeData } from "./toFlow";

function GroupNodeView({ data }: NodeProps<Node<GroupNodeData>>) {
  const { group, collapsed, memberCount, state, problems, diff } = data;
  const actions = useCanvasActions();
  const [editing, setEditing] = useState(false);
  const cls = [
    "cv-group",
    collapsed ? "collapsed" : "",
    `state-${stateClass(state)}`,
    problems.some((p) => p.severity !== "warning") ? "has-error" : "",
    diff && diff !== "unchanged" ? `diff-${diff}` : "",
  ].join(" ");
  return (
    <div
      className={cls}
      data-testid={`group-${group.id}`}
      data-collapsed={collapsed ? "true" : "false"}
      data-state={stateClass(state)}
    >
      {collapsed && <Handles type="group" />}
      <div className="cv-group-header">
        <button
          className="cv-group-toggle nodrag"
          data-testid={`group-toggle-${group.id}`}
          title={collapsed ? "Expand" : "Collapse"}
          onClick={(e) => {
            e.stopPropagation();
            actions.toggleGroup(group.id);
          }}
        >
          {collapsed ? "+" : "−"}
        </button>
        {editing ? (
          <input
            className="cv-rename nodrag"
            autoFocus
            defaultValue={group.label || group.id}
            onKeyDown={(e) => {
              e.stopPropagation();
              if (e.key === "Enter") {
                actions.renameGroup(group.id, (e.target as HTMLInputElement).value);
                setEditing(false);
              }
            }}
            onBlur={(e) => {
              actions.renameGroup(group.id, e.target.value);
              setEditing(false);
            }}
          />
        ) : (
          <span onDoubleClick={() => !actions.readOnly && setEditing(true)}>{group.label || group.id}</span>
        )}
        <span className="cv-mode">{group.mode === "sequential" ? "sequential" : "parallel"}</span>
        {group.chain && <ChainBadge groupId={group.id} pin={group.chain} readOnly={actions.readOnly} />}
      </div>
      {collapsed && (
        <div className="cv-group-summary">
          {memberCount} node{memberCount === 1 ? "" : "s"} ·{" "}
          <span data-testid={`group-state-${group.id}`}>{state}</span>
        </div>
      )}
    </div>
  );
}

export const GroupNode = memo(GroupNodeView);
