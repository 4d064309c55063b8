// Ranking for the node search box (Ctrl+F / Ctrl+K): id, name, type and tool are matched, exact
// before prefix before word start before substring before fuzzy (the letters in order).
import type { SpecNode } from "../spec/types";

export interface NodeMatch {
  id: string;
  label: string;
  type: string;
  score: number;
}

/** 0 when `q` is not in `text`; higher is a better match. Both lower-case. */
export function matchScore(text: string, q: string): number {
  if (!text || !q) return 0;
  if (text === q) return 100;
  if (text.startsWith(q)) return 80;
  const at = text.indexOf(q);
  if (at > 0) return /[\s_\-.@/:]/.test(text[at - 1]) ? 65 : 50;
  // Fuzzy: every letter of q in order; tighter spans score higher (below any substring match).
  let pos = -1;
  let first = -1;
  for (const ch of q) {
    pos = text.indexOf(ch, pos + 1);
    if (pos < 0) return 0;
    if (first < 0) first = pos;
  }
  const span = pos - first + 1;
  return 10 + Math.round((20 * q.length) / span);
}

// The id weighs most (it is the task id people know), then the name, then type and tool.
const FIELDS: [(n: SpecNode) => string | null | undefined, number][] = [
  [(n) => n.id, 1],
  [(n) => n.name, 0.95],
  [(n) => n.type, 0.6],
  [(n) => n.tool, 0.6],
];

/** The nodes matching `query`, best first (ties keep the workflow's order); all of them (up to
 * `limit`) for an empty query. */
export function searchNodes(nodes: readonly SpecNode[], query: string, limit = 50): NodeMatch[] {
  const q = query.trim().toLowerCase();
  const out: NodeMatch[] = [];
  nodes.forEach((n) => {
    let score = q ? 0 : 1;
    for (const [get, weight] of FIELDS) {
      const s = matchScore((get(n) ?? "").toLowerCase(), q) * weight;
      if (s > score) score = s;
    }
    if (score > 0) out.push({ id: n.id, label: n.name || n.id, type: n.type, score });
  });
  return out
    .map((m, i) => ({ m, i }))
    .sort((a, b) => b.m.score - a.m.score || a.i - b.i)
    .slice(0, limit)
    .map(({ m }) => m);
}
