// The server's structural diffs and merge conflicts in words: the save-conflict dialog and the
// History panel's merge both show them (the API's shapes: store/diff.py and store/merge.py).
import { formatValue } from "../state/diff";

const COLLECTIONS = ["nodes", "edges", "groups", "tools"] as const;
const SINGULAR: Record<string, string> = {
  nodes: "node",
  edges: "connection",
  groups: "group",
  tools: "tool",
  workflow: "workflow",
};

interface FieldChange {
  path: string;
  before?: unknown;
  after?: unknown;
}

interface CollectionDiff {
  added?: string[];
  removed?: string[];
  changed?: { id: string; fields?: FieldChange[] }[];
}

export type ServerDiffBody = Partial<Record<(typeof COLLECTIONS)[number], CollectionDiff>> & {
  workflow?: FieldChange[];
};

export interface MergeConflict {
  key: string;
  kind: string;
  id: string;
  fields: string[];
  base: unknown;
  source: unknown;
  target: unknown;
}

interface Line {
  key: string;
  text: string;
  fields: FieldChange[];
}

function lines(diff: ServerDiffBody | null | undefined): Line[] {
  if (!diff || typeof diff !== "object") return [];
  const out: Line[] = [];
  for (const c of COLLECTIONS) {
    const d = diff[c];
    if (!d) continue;
    for (const id of d.added ?? [])
      out.push({ key: `${c}/${id}`, text: `added ${SINGULAR[c]} ${id}`, fields: [] });
    for (const id of d.removed ?? [])
      out.push({ key: `${c}/${id}`, text: `removed ${SINGULAR[c]} ${id}`, fields: [] });
    for (const ch of d.changed ?? [])
      out.push({ key: `${c}/${ch.id}`, text: `changed ${SINGULAR[c]} ${ch.id}`, fields: ch.fields ?? [] });
  }
  if (diff.workflow?.length)
    out.push({ key: "workflow", text: "changed the workflow's settings", fields: diff.workflow });
  return out;
}

/** One side's changes as a list ("changed node finish: name "" → "Their finish""). */
export function ChangeList({ diff, testId }: { diff: ServerDiffBody | null | undefined; testId: string }) {
  const items = lines(diff);
  if (!items.length)
    return (
      <div className="cv-help" data-testid={testId}>
        No changes.
      </div>
    );
  return (
    <ul className="cv-diff-list" data-testid={testId} style={{ margin: "4px 0", paddingLeft: 18 }}>
      {items.map((l) => (
        <li key={l.key} data-testid={`${testId}-${l.key}`}>
          {l.text}
          {l.fields.map((f) => (
            <div key={f.path} style={{ paddingLeft: 10 }}>
              <code>{f.path}</code>: {formatValue(f.before)} → {formatValue(f.after)}
            </div>
          ))}
        </li>
      ))}
    </ul>
  );
}

const show = (v: unknown): string => (v === null ? "(none)" : formatValue(v));

function fieldOf(value: unknown, field: string): unknown {
  if (field === "*" || value === null || typeof value !== "object") return value;
  return (value as Record<string, unknown>)[field];
}

/** A merge's conflicts, each with a choice of the side that wins. */
export function ConflictReport({
  conflicts,
  source,
  target,
  choices,
  onChoose,
}: {
  conflicts: MergeConflict[];
  source: string;
  target: string;
  choices: Record<string, "source" | "target">;
  onChoose: (key: string, side: "source" | "target") => void;
}) {
  return (
    <div data-testid="merge-conflicts">
      {conflicts.map((c) => (
        <div
          key={c.key}
          className="cv-alert"
          data-testid={`merge-conflict-${c.key}`}
          style={{ marginBottom: 6 }}
        >
          <div>
            <b>
              {SINGULAR[c.kind] ?? c.kind} {c.id}
            </b>
            : both branches changed {c.fields.map((f) => (f === "*" ? "it" : f)).join(", ")}
          </div>
          <table className="cv-table" style={{ marginTop: 4 }}>
            <thead>
              <tr>
                <th>Field</th>
                <th>Common base</th>
                <th>{target}</th>
                <th>{source}</th>
              </tr>
            </thead>
            <tbody>
              {c.fields.map((f) => (
                <tr key={f}>
                  <td>
                    <code>{f === "*" ? "(whole item)" : f}</code>
                  </td>
                  <td>{show(fieldOf(c.base, f))}</td>
                  <td>{show(fieldOf(c.target, f))}</td>
                  <td>{show(fieldOf(c.source, f))}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="cv-row" style={{ marginTop: 4 }}>
            <label className="cv-row">
              <input
                type="radio"
                name={`merge-${c.key}`}
                data-testid={`merge-keep-target-${c.key}`}
                checked={choices[c.key] === "target"}
                onChange={() => onChoose(c.key, "target")}
              />{" "}
              keep {target}&apos;s
            </label>
            <label className="cv-row">
              <input
                type="radio"
                name={`merge-${c.key}`}
                data-testid={`merge-take-source-${c.key}`}
                checked={choices[c.key] === "source"}
                onChange={() => onChoose(c.key, "source")}
              />{" "}
              take {source}&apos;s
            </label>
          </div>
        </div>
      ))}
    </div>
  );
}
