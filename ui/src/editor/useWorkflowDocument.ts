// The workflow being edited as a document: loading it (and its branch), the undo history of the
// draft, what was last saved, dirty state and version, saving (with the conflict when someone else
// saved first), rollback, saving on a branch, and the version diff shown instead of the draft.
import { useCallback, useEffect, useRef, useState } from "react";
import { Api, ApiError, versionOf, type WorkflowRecord } from "../api/client";
import { autoLayout } from "../canvas/layout";
import type { ServerDiffBody } from "../panels/ServerDiff";
import { positionOf, type Workflow } from "../spec/types";
import { diffWorkflows, type WorkflowDiff } from "../state/diff";
import { canRedo, canUndo, commit, redo, reset, undo, type History } from "../state/history";
import * as ops from "../state/ops";
import type { Conflict, SaveError } from "./dialogs";

/** Every node on one spot: a workflow imported (or written) without positions. Two nodes sharing a
 * spot in a laid-out workflow (say, added by the co-pilot) do not count: its layout is the user's. */
export function allNodesOnOneSpot(wf: Workflow): boolean {
  if (wf.nodes.length < 2) return false;
  const first = positionOf(wf.nodes[0]);
  return wf.nodes.every((n) => {
    const p = positionOf(n);
    return p.x === first.x && p.y === first.y;
  });
}

export interface VersionDiff {
  from: number;
  to: number;
  diff: WorkflowDiff;
}

/** What a save came to: "error" keeps the save dialog open with the error shown in it. */
export type SaveOutcome = "saved" | "conflict" | "error" | "nothing";

export interface DocumentEvents {
  /** Whether the user may edit: a viewer's auto-layout on open is not an unsaved change. */
  canEdit: boolean;
  /** A short message for the user (a toast), shown for `ms` milliseconds. */
  flash: (text: string, ms?: number) => void;
  /** A workflow (or branch) was loaded: the selection and any preview no longer apply. */
  onLoaded: () => void;
  /** A version diff replaced the draft on the canvas: the selection no longer applies. */
  onDiffShown: () => void;
}

export function useWorkflowDocument(workflowId: string, events: DocumentEvents) {
  const [record, setRecord] = useState<WorkflowRecord | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [branch, setBranch] = useState<string | undefined>(undefined);
  const [history, setHistory] = useState<History<Workflow> | null>(null);
  const [saved, setSaved] = useState<Workflow | null>(null);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [saveError, setSaveError] = useState<SaveError | null>(null);
  const [diff, setDiff] = useState<VersionDiff | null>(null);
  // Bumped whenever the stored versions change, so the History panel reloads.
  const [historyKey, setHistoryKey] = useState(0);
  // Bumped by every load (open, branch switch, reload): the server-side draft is checked again.
  const [loadKey, setLoadKey] = useState(0);
  // The callbacks change with every render of the editor; the loaders read the latest ones.
  const latest = useRef(events);
  latest.current = events;

  const wf = history?.present ?? null;
  // Only an editor has unsaved changes (a viewer's auto-layout on open is not one).
  const dirty =
    events.canEdit && wf !== null && saved !== null && JSON.stringify(wf) !== JSON.stringify(saved);
  const headVersion = record ? versionOf(record) : undefined;

  // `carry`: edits to keep on top of what is loaded (unsaved, undoable), e.g. onto a new branch.
  const load = useCallback(
    async (br?: string, carry?: Workflow | null) => {
      try {
        const rec = await Api.getWorkflow(workflowId, br);
        // Without positions (dag-factory and Elyra imports, hand-written specs) every node would sit
        // on the same spot: lay them out first. For an editor that is an unsaved change to keep.
        let shown = rec.spec;
        if (!carry && allNodesOnOneSpot(rec.spec)) {
          try {
            shown = ops.moveNodes(rec.spec, await autoLayout(rec.spec));
            latest.current.flash(
              `Laid out the nodes, which had no positions${latest.current.canEdit ? ": save to keep the layout" : ""}.`,
              5000,
            );
          } catch {
            /* no layout engine: show them stacked, still editable */
          }
        }
        setRecord(rec);
        latest.current.onLoaded();
        setHistory(carry ? commit(reset(rec.spec), carry) : reset(shown));
        setSaved(rec.spec);
        setLoadError(null);
        setHistoryKey((k) => k + 1);
        setLoadKey((k) => k + 1);
      } catch (e) {
        setLoadError((e as Error).message);
      }
    },
    [workflowId],
  );

  useEffect(() => {
    void load();
  }, [load]);

  const switchBranch = useCallback(
    async (br: string, carry?: Workflow | null) => {
      setBranch(br);
      setDiff(null);
      await load(br, carry);
    },
    [load],
  );

  const change = useCallback((next: Workflow, key?: string) => {
    setHistory((h) => (h ? commit(h, next, key ?? null) : h));
  }, []);

  // No undo while a version diff is shown: the draft is not on the canvas.
  const doUndo = useCallback(() => setHistory((h) => (h && !diff ? undo(h) : h)), [diff]);
  const doRedo = useCallback(() => setHistory((h) => (h && !diff ? redo(h) : h)), [diff]);

  const save = useCallback(
    async (message: string, baseVersion = headVersion): Promise<SaveOutcome> => {
      if (!wf) return "nothing";
      setSaveError(null);
      try {
        const v = await Api.saveWorkflow(workflowId, wf, baseVersion, message, branch);
        setRecord((r) => (r ? { ...r, version: v.version, head_version: v.version, spec: wf } : r));
        setSaved(wf);
        setConflict(null);
        setHistoryKey((k) => k + 1);
        latest.current.flash(`Saved v${v.version}`);
        return "saved";
      } catch (e) {
        const err = e as ApiError;
        if (err.status === 409) {
          setConflict({
            headVersion: (err.body.head_version ??
              (err.body.detail as Record<string, unknown>)?.head_version) as number | undefined,
            baseVersion: (err.body.base_version as number | undefined) ?? baseVersion,
            message,
            diff: (err.body.diff as ServerDiffBody | undefined) ?? null,
            yours: (err.body.your_changes as ServerDiffBody | undefined) ?? null,
          });
          return "conflict";
        }
        setSaveError({ message: err.message, problems: err.problems ?? [] });
        return "error";
      }
    },
    [wf, workflowId, headVersion, branch],
  );

  const showDiff = useCallback(
    async (from: number, to: number) => {
      try {
        const [a, b] = await Promise.all([Api.version(workflowId, from), Api.version(workflowId, to)]);
        setDiff({ from, to, diff: diffWorkflows(a.spec, b.spec) });
        latest.current.onDiffShown();
      } catch (e) {
        latest.current.flash(`Diff failed: ${(e as Error).message}`);
      }
    },
    [workflowId],
  );

  const rollback = useCallback(
    async (version: number) => {
      try {
        const v = await Api.rollback(workflowId, version, `Roll back to v${version}`, branch);
        const rec = await Api.getWorkflow(workflowId, branch);
        setRecord(rec);
        // Undoable like any other change: Ctrl+Z brings back what was on the canvas before.
        setHistory((h) => (h ? commit(h, rec.spec) : reset(rec.spec)));
        setSaved(rec.spec);
        setDiff(null);
        setHistoryKey((k) => k + 1);
        latest.current.flash(`Rolled back to v${version} (now v${v.version})`);
      } catch (e) {
        latest.current.flash(`Rollback failed: ${(e as Error).message}`);
      }
    },
    [workflowId, branch],
  );

  // Save-conflict resolution: put my version on a new branch, starting from the version I edited,
  // so nothing is overwritten; the History panel merges it back.
  const saveOnBranch = useCallback(
    async (name: string, message: string, base: number | undefined) => {
      if (!wf) return;
      try {
        await Api.createBranch(workflowId, name, base);
        const v = await Api.saveWorkflow(workflowId, wf, base, message, name);
        setConflict(null);
        await switchBranch(name);
        latest.current.flash(`Saved v${v.version} on branch ${name}`);
      } catch (e) {
        latest.current.flash(`Saving on branch ${name} failed: ${(e as Error).message}`);
      }
    },
    [wf, workflowId, switchBranch],
  );

  return {
    record,
    loadError,
    branch,
    history,
    wf,
    saved,
    loadKey,
    dirty,
    headVersion,
    canUndo: history ? canUndo(history) : false,
    canRedo: history ? canRedo(history) : false,
    diff,
    exitDiff: useCallback(() => setDiff(null), []),
    conflict,
    dismissConflict: useCallback(() => setConflict(null), []),
    saveError,
    clearSaveError: useCallback(() => setSaveError(null), []),
    historyKey,
    load,
    switchBranch,
    change,
    undo: doUndo,
    redo: doRedo,
    save,
    showDiff,
    rollback,
    saveOnBranch,
  };
}
