// Versions: the history list, a visual diff of two versions on the canvas, rollback, branches.
import { useCallback, useEffect, useState } from "react";
import { Api, type VersionInfo } from "../api/client";
import { formatValue, type WorkflowDiff } from "../state/diff";

export interface HistoryPanelProps {
  workflowId: string;
  headVersion: number | undefined;
  branch: string | undefined;
  readOnly: boolean;
  diff: { from: number; to: number; diff: WorkflowDiff } | null;
  onDiff: (from: number, to: number) => Promise<void>;
  onExitDiff: () => void;
  onRollback: (version: number) => Promise<void>;
  onSwitchBranch: (branch: string) => void;
  refreshKey: number;
}

export function HistoryPanel(p: HistoryPanelProps) {
  const [versions, setVersions] = useState<VersionInfo[]>([]);
  const [branches, setBranches] = useState<string[]>([]);
  const [picked, setPicked] = useState<number[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [newBranch, setNewBranch] = useState("");

  const load = useCallback(async () => {
    try {
      const vs = await Api.versions(p.workflowId);
      setVersions([...vs].sort((a, b) => b.version - a.version));
      const bs = await Api.branches(p.workflowId).catch(() => []);
      setBranches(bs.map((b) => String(b.name ?? b.branch ?? b)));
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  }, [p.workflowId]);
  useEffect(() => void load(), [load, p.refreshKey]);

  const toggle = (v: number) => setPicked((cur) => (cur.includes(v) ? cur.filter((x) => x !== v) : [...cur, v].slice(-2)));
  const [a, b] = [...picked].sort((x, y) => x - y);

  return (
    <div data-testid="history-panel">
      {error && <div className="cv-alert">{error}</div>}
      <div className="cv-row" style={{ marginBottom: 8 }}>
        <button className="cv-btn" data-testid="diff-button" disabled={picked.length !== 2} onClick={() => void p.onDiff(a, b)}>Compare selected</button>
        {p.diff && <button className="cv-btn" data-testid="diff-exit" onClick={p.onExitDiff}>Exit diff</button>}
      </div>
      {p.diff && <DiffSummary diff={p.diff.diff} from={p.diff.from} to={p.diff.to} />}
      <table className="cv-table">
        <thead><tr><th /><th>Ver.</th><th>Message</th><th>By</th><th /></tr></thead>
        <tbody>
          {versions.map((v) => (
            <tr key={v.version} data-testid={`version-row-${v.version}`}>
              <td><input type="checkbox" data-testid={`version-pick-${v.version}`} checked={picked.includes(v.version)} onChange={() => toggle(v.version)} /></td>
              <td>v{v.version}{v.version === p.headVersion ? " (current)" : ""}</td>
              <td>{v.message || <span className="cv-help">—</span>}</td>
              <td>{String(v.author ?? v.created_by ?? "")}</td>
              <td>{!p.readOnly && v.version !== p.headVersion && (
                <button className="cv-btn small" data-testid={`rollback-${v.version}`} onClick={() => void p.onRollback(v.version)}>Roll back</button>
              )}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="cv-section" style={{ marginTop: 14 }}>
        <h3>Branches</h3>
        <div className="cv-row">
          <select className="cv-select" data-testid="branch-select" value={p.branch ?? "main"} onChange={(e) => p.onSwitchBranch(e.target.value)}>
            {[...new Set(["main", ...branches, p.branch ?? "main"])].map((b) => <option key={b} value={b}>{b}</option>)}
          </select>
        </div>
        {!p.readOnly && (
          <div className="cv-row" style={{ marginTop: 6 }}>
            <input className="cv-input" placeholder="new branch name" data-testid="branch-new-name" value={newBranch} onChange={(e) => setNewBranch(e.target.value)} />
            <button className="cv-btn" data-testid="branch-create" disabled={!newBranch.trim()}
              onClick={async () => {
                try {
                  await Api.createBranch(p.workflowId, newBranch.trim(), p.headVersion);
                  setNewBranch("");
                  await load();
                } catch (e) {
                  setError((e as Error).message);
                }
              }}>Create</button>
          </div>
        )}
      </div>
    </div>
  );
}

export function DiffSummary({ diff, from, to }: { diff: WorkflowDiff; from: number; to: number }) {
  const rows = [...diff.nodes, ...diff.edges, ...diff.groups].filter((d) => d.status !== "unchanged");
  return (
    <div className="cv-section cv-diff-list" data-testid="diff-summary">
      <h3>v{from} → v{to}: <span className="added">{diff.counts.added} added</span>, <span className="removed">{diff.counts.removed} removed</span>,{" "}
        <span className="changed">{diff.counts.changed} changed</span></h3>
      {rows.map((d) => (
        <div key={`${d.status}-${d.id}`} data-testid={`diff-item-${d.id}`}>
          <span className={d.status}>{d.status}</span> <code>{d.id}</code>
          {d.changes.map((c) => (
            <div key={c.path} style={{ paddingLeft: 14 }}><code>{c.path}</code>: {formatValue(c.before)} → {formatValue(c.after)}</div>
          ))}
        </div>
      ))}
      {diff.workflow.map((c) => <div key={c.path}><span className="changed">workflow</span> <code>{c.path}</code>: {formatValue(c.before)} → {formatValue(c.after)}</div>)}
    </div>
  );
}
