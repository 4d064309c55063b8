// All workflows: search, create (blank, from a template, from an import), duplicate, delete,
// deploy status per environment and the last run's state.
import { useCallback, useEffect, useState } from "react";
import { Api, type Me, type WorkflowSummary } from "../api/client";
import { stateClass } from "../state/status";
import { Modal } from "../ui/Modal";
import { DuplicateDialog, NewWorkflowDialog } from "./dialogs";

interface RowStatus {
  deployments: { environment: string; version?: unknown }[];
  lastRun: { state: string; run_id: string } | null;
}

/** Deploy status and last run of one row (the list endpoint carries neither). */
function useRowStatus(id: string): RowStatus | null {
  const [status, setStatus] = useState<RowStatus | null>(null);
  useEffect(() => {
    let live = true;
    Promise.all([Api.deploymentsCurrent(id).catch(() => ({})), Api.runs(id).catch(() => [])]).then(
      ([current, runs]) => {
        if (!live) return;
        setStatus({
          deployments: Object.entries(current).map(([environment, d]) => ({
            environment,
            version: d.version,
          })),
          lastRun: runs[0] ? { state: runs[0].state, run_id: runs[0].run_id } : null,
        });
      },
    );
    return () => {
      live = false;
    };
  }, [id]);
  return status;
}

function WorkflowRow({
  w,
  perms,
  onOpen,
  onDuplicate,
  onDelete,
}: {
  w: WorkflowSummary;
  perms: string[];
  onOpen: () => void;
  onDuplicate: () => void;
  onDelete: () => void;
}) {
  const status = useRowStatus(w.id);
  return (
    <tr data-testid={`workflow-row-${w.id}`}>
      <td>
        <button className="cv-link" data-testid={`open-${w.id}`} onClick={onOpen}>
          <b>{w.name || w.id}</b>
        </button>
        <div className="cv-help">{w.id}</div>
      </td>
      <td>v{w.head_version ?? "?"}</td>
      <td data-testid={`deployed-${w.id}`}>
        {status?.deployments.map((d) => (
          <span key={d.environment} className="cv-badge" style={{ marginRight: 4 }}>
            {d.environment}
            {d.version !== undefined ? ` v${String(d.version)}` : ""}
          </span>
        ))}
        {status && status.deployments.length === 0 && <span className="cv-help">not deployed</span>}
      </td>
      <td data-testid={`last-run-${w.id}`}>
        {status?.lastRun ? (
          <span className={`cv-badge state-${stateClass(status.lastRun.state)}`}>{status.lastRun.state}</span>
        ) : (
          <span className="cv-help">{status ? "never" : ""}</span>
        )}
      </td>
      <td className="cv-help">{w.updated_at ? new Date(w.updated_at).toLocaleString() : ""}</td>
      <td style={{ whiteSpace: "nowrap" }}>
        {perms.includes("create") && (
          <button className="cv-btn small" data-testid={`duplicate-${w.id}`} onClick={onDuplicate}>
            Duplicate
          </button>
        )}{" "}
        {perms.includes("delete") && (
          <button className="cv-btn small danger" data-testid={`delete-${w.id}`} onClick={onDelete}>
            Delete
          </button>
        )}
      </td>
    </tr>
  );
}

export function WorkflowList({
  me,
  onOpen,
  onTools,
}: {
  me: Me | null | undefined;
  onOpen: (id: string) => void;
  /** Switch to the tool studio. */
  onTools?: () => void;
}) {
  const [search, setSearch] = useState("");
  const [items, setItems] = useState<WorkflowSummary[]>([]);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [dialog, setDialog] = useState<"new" | { duplicate: string } | { remove: string } | null>(null);
  // Until /me answers nothing editable shows; without /me the server still enforces every action.
  const perms = me === undefined ? [] : (me?.permissions?.workflows ?? ["read", "create", "edit", "delete"]);

  const load = useCallback(async () => {
    try {
      const r = await Api.listWorkflows(search);
      setItems(r.items);
      setTotal(r.total);
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  }, [search]);

  useEffect(() => {
    const t = setTimeout(() => void load(), 250);
    return () => clearTimeout(t);
  }, [load]);

  return (
    <div className="cv-list" data-testid="workflow-list">
      <div className="cv-row" style={{ marginBottom: 12 }}>
        <h2 style={{ margin: 0, fontSize: 18 }}>Canvas workflows</h2>
        <span className="cv-badge">{total}</span>
        {onTools && (
          <button className="cv-btn small" data-testid="open-tool-studio" onClick={onTools}>
            Tools
          </button>
        )}
        <span style={{ flex: 1 }} />
        <input
          className="cv-input"
          style={{ width: 260 }}
          placeholder="Search workflows"
          data-testid="workflow-search"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        {perms.includes("create") && (
          <button className="cv-btn primary" data-testid="new-workflow" onClick={() => setDialog("new")}>
            New workflow
          </button>
        )}
      </div>
      {error && (
        <div className="cv-alert" data-testid="list-error">
          {error}
        </div>
      )}
      <table className="cv-table">
        <thead>
          <tr>
            <th>Workflow</th>
            <th>Version</th>
            <th>Deployed</th>
            <th>Last run</th>
            <th>Updated</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {items.map((w) => (
            <WorkflowRow
              key={w.id}
              w={w}
              perms={perms}
              onOpen={() => onOpen(w.id)}
              onDuplicate={() => setDialog({ duplicate: w.id })}
              onDelete={() => setDialog({ remove: w.id })}
            />
          ))}
          {items.length === 0 && !error && (
            <tr>
              <td colSpan={6} className="cv-help">
                No workflows{search ? ` match "${search}"` : " yet"}.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {dialog === "new" && (
        <NewWorkflowDialog
          onClose={() => setDialog(null)}
          onCreated={(id) => {
            setDialog(null);
            onOpen(id);
          }}
        />
      )}
      {dialog && typeof dialog === "object" && "duplicate" in dialog && (
        <DuplicateDialog
          source={dialog.duplicate}
          onClose={() => setDialog(null)}
          onDone={(id) => {
            setDialog(null);
            onOpen(id);
          }}
        />
      )}
      {dialog && typeof dialog === "object" && "remove" in dialog && (
        <Modal title={`Delete ${dialog.remove}?`} onClose={() => setDialog(null)} testId="delete-dialog">
          <p>
            This deletes the workflow and its history. A deployed DAG file is removed from its environments by
            the server.
          </p>
          <div className="cv-actions">
            <button className="cv-btn" onClick={() => setDialog(null)}>
              Cancel
            </button>
            <button
              className="cv-btn primary"
              data-testid="delete-confirm"
              onClick={async () => {
                try {
                  await Api.deleteWorkflow(dialog.remove);
                } catch (e) {
                  setError((e as Error).message);
                }
                setDialog(null);
                void load();
              }}
            >
              Delete
            </button>
          </div>
        </Modal>
      )}
    </div>
  );
}
