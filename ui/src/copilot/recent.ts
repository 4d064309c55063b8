// "Recent actions" for the co-pilot's context: the canvas's undo steps, described from the
// workflow before and after each change (the panel sees every committed spec as a new prop).
import type { Workflow } from "../spec/types";
import { diffWorkflows } from "../state/diff";
import type { RecentAction } from "./types";

export const MAX_RECENT = 10;

export function describeChange(before: Workflow, after: Workflow): RecentAction | null {
  if (before === after) return null;
  const d = diffWorkflows(before, after);
  const parts: string[] = [];
  const ids: string[] = [];
  const say = (verb: string, noun: string, items: { id: string }[]) => {
    if (!items.length) return;
    const names =
      items
        .slice(0, 3)
        .map((i) => i.id)
        .join(", ") + (items.length > 3 ? ` and ${items.length - 3} more` : "");
    parts.push(`${verb} ${noun}${items.length > 1 ? "s" : ""} ${names}`);
  };
  for (const status of ["added", "removed", "changed"] as const) {
    const verb = status[0].toUpperCase() + status.slice(1);
    const nodes = d.nodes.filter((n) => n.status === status);
    say(verb, "node", nodes);
    ids.push(...nodes.map((n) => n.id));
    say(
      verb,
      "edge",
      d.edges.filter((e) => e.status === status),
    );
    say(
      verb,
      "group",
      d.groups.filter((g) => g.status === status),
    );
  }
  const changedFields = d.nodes
    .filter((n) => n.status === "changed")
    .flatMap((n) => n.changes.map((c) => c.path));
  if (changedFields.length) parts.push(`(${[...new Set(changedFields)].slice(0, 4).join(", ")})`);
  if (d.workflow.length)
    parts.push(
      `Changed workflow ${d.workflow
        .map((c) => c.path)
        .slice(0, 3)
        .join(", ")}`,
    );
  if (!parts.length) {
    // diffWorkflows ignores layout; a layout-only change is still a user action worth knowing.
    const moved = after.nodes.filter((n) => {
      const old = before.nodes.find((o) => o.id === n.id);
      return old && JSON.stringify(old.ui?.position) !== JSON.stringify(n.ui?.position);
    });
    if (!moved.length) return null;
    return { label: `Moved ${moved.length} node(s)`, node_ids: moved.slice(0, 10).map((n) => n.id) };
  }
  return { label: parts.join("; "), node_ids: ids.slice(0, 10) };
}

export function pushRecent(list: RecentAction[], action: RecentAction | null): RecentAction[] {
  if (!action) return list;
  const last = list[list.length - 1];
  // Consecutive moves of the same nodes are one action (a drag produces several commits).
  if (last && last.label === action.label && last.label.startsWith("Moved")) return list;
  return [...list, action].slice(-MAX_RECENT);
}
