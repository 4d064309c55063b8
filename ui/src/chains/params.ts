// Which fields of a workflow can become parameters of a user template: the description, the
// schedule, connection ids and pools. Each is a JSON pointer into the spec (the server checks it).
import type { Workflow } from "../spec/types";

export interface ParamCandidate {
  name: string;
  pointer: string;
  title: string;
  value: unknown;
}

const safe = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .replace(/^([0-9])/, "p_$1") || "param";

function esc(token: string) {
  return token.replace(/~/g, "~0").replace(/\//g, "~1");
}

export function paramCandidates(wf: Workflow): ParamCandidate[] {
  const out: ParamCandidate[] = [];
  if (wf.description)
    out.push({ name: "description", pointer: "/description", title: "Description", value: wf.description });
  const schedule = wf.triggers?.schedule;
  if (schedule?.value)
    out.push({
      name: "schedule",
      pointer: "/triggers/schedule/value",
      title: "Schedule",
      value: schedule.value,
    });
  wf.nodes.forEach((n, i) => {
    if (n.agent?.connection_id)
      out.push({
        name: safe(`${n.id}_connection`),
        pointer: `/nodes/${i}/agent/connection_id`,
        title: `Connection of ${n.name || n.id}`,
        value: n.agent.connection_id,
      });
    for (const [key, value] of Object.entries(n.parameters ?? {})) {
      if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") continue;
      out.push({
        name: safe(`${n.id}_${key}`),
        pointer: `/nodes/${i}/parameters/${esc(key)}`,
        title: `${n.name || n.id}: ${key}`,
        value,
      });
    }
    if (n.execution?.pool)
      out.push({
        name: safe(`${n.id}_pool`),
        pointer: `/nodes/${i}/execution/pool`,
        title: `Pool of ${n.name || n.id}`,
        value: n.execution.pool,
      });
  });
  const seen = new Set<string>();
  return out.map((c) => {
    let name = c.name;
    for (let k = 2; seen.has(name); k++) name = `${c.name}_${k}`;
    seen.add(name);
    return { ...c, name };
  });
}
