// Versions: the history list, a visual diff of two versions on the canvas, rollback, branches and
// merging one branch into another (three-way, on the server; conflicts are settled here).
import { useCallback, useEffect, useState } from "react";
import { Api, ApiError, type VersionInfo } from "../api/client";
import { formatValue, type WorkflowDiff } from "../state/diff";
import { Modal } from "../ui/Modal";
import { ConflictReport, type MergeConflict } from "./ServerDiff";
import { exactTime, relativeTime } from "./when";

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
  /** Create a branch from the current version and switch to it (unsaved edits come along). */
  onCreateBranch: (name: string) => Promise<void>;
  /** A merge made a new version on the current branch: reload it. */
  onMerged: (message: string) => void;
  /** Unsaved edits: switching branches or merging would lose them. */
  dirty: boolean;
  refreshKey: number;
}

interface MergeState {
  source: string;
  conflicts: MergeConflict[];
  choices: Record<string, "source" | "target">;
  message: string;
}

export function HistoryPanel(p: HistoryPanelProps) {
  const [versions, setVersions] = useState<VersionInfo[]>([]);
  const [branches, setBranches] = useState<string[]>([]);
  const [picked, setPicked] = useState<number[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [newBranch, setNewBranch] = useState("");
  const [mergeSource, setMergeSource] = useState("");
  const [merge, setMerge] = useState<MergeState | null>(null);
  const [mergeError, setMergeError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // The version a "Roll back" click asks about; nothing happens until the dialog is confirmed.
  const [confirmRollback, setConfirmRollback] = useState<VersionInfo | null>(null);
  const current = p.branch ?? "main";
  // Choices made for a merge into one branch must not be applied to another.
  useEffect(() => {
    setMerge(null);
    setMergeError(null);
  }, [current]);

  const load = useCallback(async () => {
    try {
      const vs = await Api.versions(p.workflowId);
      setVersions([...vs].sort((a, b) => b.version - a.version));
      const bs = await Api.branches(p.workflowId).catch(() => []);
      setBranches(bs.map((b) => b.name));
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  }, [p.workflowId]);
  useEffect(() => void load(), [load, p.refreshKey]);

  const others = [...new Set(["main", ...branches])].filter((b) => b !== current);
  const source = others.includes(mergeSource) ? mergeSource : (others[0] ?? "");

  const runMerge = async (from: string, resolutions: Record<string, "source" | "target"> = {}) => {
    setBusy(true);
    setMergeError(null);
    try {
      const v = await Api.merge(p.workflowId, from, current, resolutions, `Merge ${from} into ${current}`);
      setMerge(null);
      p.onMerged(`Merged ${from} into ${current} (now v${v.version})`);
    } catch (e) {
      const err = e as ApiError;
      const conflicts = (err.status === 409 ? err.body.conflicts : undefined) as MergeConflict[] | undefined;
      if (conflicts?.length)
        setMerge({ source: from, conflicts, choices: { ...resolutions }, message: err.message });
      else {
        setMerge(null);
        setMergeError(err.message);
      }
    } finally {
      setBusy(false);
    }
  };

  const toggle = (v: number) =>
    setPicked((cur) => (cur.includes(v) ? cur.filter((x) => x !== v) : [...cur, v].slice(-2)));
  const [a, b] = [...picked].sort((x, y) => x - y);

  return (
    <div data-testid="history-panel">
      {error && <div className="cv-alert">{error}</div>}
      <div className="cv-row" style={{ marginBottom: 8 }}>
        <button
          className="cv-btn"
          data-testid="diff-button"
          disabled={picked.length !== 2}
          onClick={() => void p.onDiff(a, b)}
        >
          Compare selected
        </button>
        {p.diff && (
          <button className="cv-btn" data-testid="diff-exit" onClick={p.onExitDiff}>
            Exit diff
          </button>
        )}
      </div>
      {p.diff && <DiffSummary diff={p.diff.diff} from={p.diff.from} to={p.diff.to} />}
      <table className="cv-table">
        <thead>
          <tr>
            <th />
            <th>Ver.</th>
            <th>Message</th>
            <th>When / by</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => (
            <tr key={v.version} data-testid={`version-row-${v.version}`}>
              <td>
                <input
                  type="checkbox"
                  data-testid={`version-pick-${v.version}`}
                  checked={picked.includes(v.version)}
                  onChange={() => toggle(v.version)}
                />
              </td>
              <td>
                v{v.version}
                {v.version === p.headVersion ? " (current)" : ""}
              </td>
              <td>
                {v.branch && v.branch !== "main" && (
                  <span className="cv-badge" data-testid={`version-branch-${v.version}`}>
                    {v.branch}
                  </span>
                )}{" "}
                {v.message || <span className="cv-help">—</span>}
                {typeof v.merged_version === "number" && (
                  <span className="cv-help" data-testid={`version-merged-${v.version}`}>
                    {" "}
                    (merged v{v.merged_version})
                  </span>
                )}
              </td>
              <td>
                <span
                  className="cv-help"
                  data-testid={`version-when-${v.version}`}
                  title={exactTime(v.created_at)}
                  style={{ display: "block", whiteSpace: "nowrap" }}
                >
                  {relativeTime(v.created_at)}
                </span>
                <span data-testid={`version-author-${v.version}`}>{v.author}</span>
              </td>
              <td>
                {!p.readOnly && v.version !== p.headVersion && (
                  <button
                    className="cv-btn small"
                    data-testid={`rollback-${v.version}`}
                    onClick={() => setConfirmRollback(v)}
                  >
                    Roll back
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {confirmRollback && (
        <RollbackDialog
          target={confirmRollback}
          head={p.headVersion}
          branch={current}
          dirty={p.dirty}
          onCancel={() => setConfirmRollback(null)}
          onConfirm={() => {
            setConfirmRollback(null);
            void p.onRollback(confirmRollback.version);
          }}
        />
      )}
      <div className="cv-section" style={{ marginTop: 14 }}>
        <h3>Branches</h3>
        <div className="cv-row">
          <select
            className="cv-select"
            data-testid="branch-select"
            value={current}
            disabled={p.dirty}
            title={p.dirty ? "Save or undo your changes before switching branches" : "Switch branch"}
            onChange={(e) => p.onSwitchBranch(e.target.value)}
          >
            {[...new Set(["main", ...branches, current])].map((b) => (
              <option key={b} value={b}>
                {b}
              </option>
            ))}
          </select>
        </div>
        {p.dirty && (
          <div className="cv-help" data-testid="branch-dirty-hint">
            Unsaved changes: save them (here or on a new branch) before switching.
          </div>
        )}
        {!p.readOnly && (
          <div className="cv-row" style={{ marginTop: 6 }}>
            <input
              className="cv-input"
              placeholder="new branch name"
              data-testid="branch-new-name"
              value={newBranch}
              onChange={(e) => setNewBranch(e.target.value)}
            />
            <button
              className="cv-btn"
              data-testid="branch-create"
              disabled={!newBranch.trim() || busy}
              title={`Branch off v${p.headVersion ?? "?"} and switch to it`}
              onClick={async () => {
                setBusy(true);
                try {
                  await p.onCreateBranch(newBranch.trim());
                  setNewBranch("");
                  setError(null);
                } catch (e) {
                  setError((e as Error).message);
                } finally {
                  setBusy(false);
                }
              }}
            >
              Create
            </button>
          </div>
        )}
      </div>
      {!p.readOnly && others.length > 0 && (
        <div className="cv-section" style={{ marginTop: 14 }} data-testid="merge-section">
          <h3>Merge</h3>
          <div className="cv-row">
            <span>Merge</span>
            <select
              className="cv-select"
              style={{ width: "auto" }}
              data-testid="merge-source"
              value={source}
              onChange={(e) => {
                setMergeSource(e.target.value);
                setMerge(null);
                setMergeError(null);
              }}
            >
              {others.map((b) => (
                <option key={b} value={b}>
                  {b}
                </option>
              ))}
            </select>
            <span>
              into <b data-testid="merge-target">{current}</b>
            </span>
            <button
              className="cv-btn"
              data-testid="merge-button"
              disabled={!source || p.dirty || busy}
              onClick={() => void runMerge(source)}
            >
              Merge
            </button>
          </div>
          {p.dirty && <div className="cv-help">Save or undo your changes before merging.</div>}
          {mergeError && (
            <div className="cv-alert" data-testid="merge-error">
              {mergeError}
            </div>
          )}
          {merge && (
            <div style={{ marginTop: 8 }}>
              <div className="cv-help" data-testid="merge-conflict-summary">
                {merge.message} Choose which side wins each one:
              </div>
              <ConflictReport
                conflicts={merge.conflicts}
                source={merge.source}
                target={current}
                choices={merge.choices}
                onChoose={(key, side) => setMerge({ ...merge, choices: { ...merge.choices, [key]: side } })}
              />
              <div className="cv-actions">
                <button className="cv-btn" data-testid="merge-cancel" onClick={() => setMerge(null)}>
                  Cancel
                </button>
                <button
                  className="cv-btn primary"
                  data-testid="merge-resolve"
                  disabled={busy || merge.conflicts.some((c) => !merge.choices[c.key])}
                  onClick={() => void runMerge(merge.source, merge.choices)}
                >
                  Merge with these choices
                </button>
              </div>
            </div>
          )}
        </div>
      )}
    </div>
  );
}

/** Roll back is a new version, not a rewrite: the dialog says which version and what happens. */
function RollbackDialog({
  target,
  head,
  branch,
  dirty,
  onCancel,
  onConfirm,
}: {
  target: VersionInfo;
  head: number | undefined;
  branch: string;
  dirty: boolean;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  const when = relativeTime(target.created_at);
  return (
    <Modal title={`Roll back to v${target.version}?`} onClose={onCancel} testId="rollback-confirm">
      <p data-testid="rollback-confirm-text">
        This saves a <b>new version</b> on <b>{branch}</b> with the content of <b>v{target.version}</b>
        {" ("}
        {target.message && <>&ldquo;{target.message}&rdquo;, </>}
        by {target.author}
        {when && <span title={exactTime(target.created_at)}>, {when}</span>}).
      </p>
      <p className="cv-help">
        The history stays: v{head ?? "?"} and every version before it are kept, and you can roll forward to
        any of them the same way.
        {dirty && " Your unsaved changes on the canvas are replaced (Ctrl+Z brings them back)."}
      </p>
      <div className="cv-actions">
        <button className="cv-btn" data-testid="rollback-cancel" onClick={onCancel}>
          Cancel
        </button>
        <button
          className="cv-btn primary"
          data-testid="rollback-confirm-button"
          autoFocus
          onClick={onConfirm}
        >
          Roll back to v{target.version}
        </button>
      </div>
    </Modal>
  );
}

export function DiffSummary({ diff, from, to }: { diff: WorkflowDiff; from: number; to: number }) {
  const rows = [...diff.nodes, ...diff.edges, ...diff.groups].filter((d) => d.status !== "unchanged");
  return (
    <div className="cv-section cv-diff-list" data-testid="diff-summary">
      <h3>
        v{from} → v{to}: <span className="added">{diff.counts.added} added</span>,{" "}
        <span className="removed">{diff.counts.removed} removed</span>,{" "}
        <span className="changed">{diff.counts.changed} changed</span>
      </h3>
      {rows.map((d) => (
        <div key={`${d.status}-${d.id}`} data-testid={`diff-item-${d.id}`}>
          <span className={d.status}>{d.status}</span> <code>{d.id}</code>
          {d.changes.map((c) => (
            <div key={c.path} style={{ paddingLeft: 14 }}>
              <code>{c.path}</code>: {formatValue(c.before)} → {formatValue(c.after)}
            </div>
          ))}
        </div>
      ))}
      {diff.workflow.map((c) => (
        <div key={c.path}>
          <span className="changed">workflow</span> <code>{c.path}</code>: {formatValue(c.before)} →{" "}
          {formatValue(c.after)}
        </div>
      ))}
    </div>
  );
}
