// The debug session's states in the shape the canvas colours nodes by (NodeRunInfo), so a node that
// ran, failed, was skipped or is running shows it as in a real run, with its duration.
import type { NodeRunInfo, RunState } from "../state/status";
import type { DebugSession, DebugStepResult } from "./api";
import type { Pins } from "./session";

const SHOWN: ReadonlySet<string> = new Set(["success", "failed", "skipped", "upstream_failed"]);

export function debugRunInfo(
  view: DebugSession | null,
  reports: Record<string, DebugStepResult>,
  pins: Pins,
  running: string | null,
): Record<string, NodeRunInfo> {
  const out: Record<string, NodeRunInfo> = {};
  for (const [id, node] of Object.entries(view?.nodes ?? {})) {
    if (id === running) out[id] = { state: "running" };
    else if (SHOWN.has(node.state))
      out[id] = {
        state: node.state as RunState,
        duration: id in pins && !reports[id] ? null : (reports[id]?.duration ?? null),
      };
  }
  return out;
}
