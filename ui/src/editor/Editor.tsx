// The workflow editor: toolbar, palette, canvas, right dock (properties, code, runs, history,
// deploy, co-pilot), problems bar, dialogs. Holds the undo history of the workflow spec.
import { useReactFlow } from "@xyflow/react";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Api, ApiError, versionOf, type Me, type WorkflowRecord } from "../api/client";
import { autoLayout } from "../canvas/layout";
import { FlowCanvas, type MenuTarget } from "../canvas/FlowCanvas";
import { CanvasActionsContext, type CanvasActions } from "../canvas/actions";
import { Palette, type PaletteEntry, type ToolInfo } from "../canvas/Palette";
import type { Overlays } from "../canvas/toFlow";
import { CopilotPanel } from "../copilot/CopilotPanel";
import { CodePanel } from "../panels/CodePanel";
import { DeployPanel } from "../panels/DeployPanel";
import { DiffSummary, HistoryPanel } from "../panels/HistoryPanel";
import { ChangeList, type ServerDiffBody } from "../panels/ServerDiff";
import { PropertyPanel, type Selection } from "../panels/PropertyPanel";
import { RunsPanel, TriggerDialog } from "../panels/RunsPanel";
import {
  positionOf,
  type EdgeKind,
  type JsonSchema,
  type NodeType,
  type Problem,
  type Workflow,
} from "../spec/types";
import { diffWorkflows, mergedForDiff, statusById, type WorkflowDiff } from "../state/diff";
import { canRedo, canUndo, commit, redo, reset, undo, type History } from "../state/history";
import { useCompiled, useRuns, useValidation } from "../state/hooks";
import * as ops from "../state/ops";
import { isActive, stateClass } from "../state/status";
import { Modal } from "../ui/Modal";
import { parseClipboardText, readClipboard, writeClipboard } from "./clipboard";
import { parseNodeSchemas, parseTools } from "./catalogue";

/** Every node on one spot: a workflow imported (or written) without positions. Two nodes sharing a
 * spot in a laid-out workflow (say, added by the co-pilot) do not count: its layout is the user's. */
function allNodesOnOneSpot(wf: Workflow): boolean {
  if (wf.nodes.length < 2) return false;
  const first = positionOf(wf.nodes[0]);
  return wf.nodes.every((n) => {
    const p = positionOf(n);
    return p.x === first.x && p.y === first.y;
  });
}

type Tab = "properties" | "code" | "runs" | "history" | "deploy" | "copilot";
const EMPTY_SEL: Selection = { nodes: [], edges: [], groups: [] };

interface Conflict {
  headVersion: number | undefined;
  /** The version this edit started from (the stale base). */
  baseVersion: number | undefined;
  message: string;
  diff: ServerDiffBody | null;
  yours: ServerDiffBody | null;
}

export function Editor({
  workflowId,
  me,
  onBack,
}: {
  workflowId: string;
  me: Me | null | undefined;
  onBack: () => void;
}) {
  const rf = useReactFlow();
  const [record, setRecord] = useState<WorkflowRecord | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [branch, setBranch] = useState<string | undefined>(undefined);
  const [history, setHistory] = useState<History<Workflow> | null>(null);
  const [saved, setSaved] = useState<Workflow | null>(null);
  const [selection, setSelection] = useState<Selection>(EMPTY_SEL);
  const [tab, setTab] = useState<Tab>("properties");
  const [menu, setMenu] = useState<MenuTarget | null>(null);
  const [dialog, setDialog] = useState<"save" | "trigger" | null>(null);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [saveError, setSaveError] = useState<{ message: string; problems: Problem[] } | null>(null);
  const [diff, setDiff] = useState<{ from: number; to: number; diff: WorkflowDiff } | null>(null);
  const [toast, setToast] = useState<string | null>(null);
  const [nodeSchemas, setNodeSchemas] = useState<Record<string, JsonSchema>>({});
  const [tools, setTools] = useState<ToolInfo[]>([]);
  const [historyKey, setHistoryKey] = useState(0);
  const [focus, setFocus] = useState<{ nodeId: string; what: "output" | "test"; nonce: number } | null>(null);
  const [copilotPrompt, setCopilotPrompt] = useState<{ text: string; nonce: number } | null>(null);
  const [deployedCount, setDeployedCount] = useState(0);
  // Bumped to ask the canvas to fit the whole workflow into view.
  const [fitCount, setFitCount] = useState(0);
  const fit = useCallback(() => setFitCount((c) => c + 1), []);

  const canEdit = me !== undefined && (me === null || (me.permissions?.workflows ?? []).includes("edit"));
  const canEditRef = useRef(canEdit);
  canEditRef.current = canEdit;
  const canDeploy = me !== undefined && (me === null || (me.permissions?.deployments ?? []).includes("edit"));
  const canWriteCode = me !== undefined && (me === null || (me.permissions?.code ?? []).includes("edit"));
  const wf = history?.present ?? null;
  // A co-pilot proposal hovered in the chat is drawn on the canvas as a diff against the draft.
  const [previewSpec, setPreviewSpec] = useState<Workflow | null>(null);
  // `viewOnly` hides the editing tools; `readOnly` also locks the draft while a co-pilot proposal is
  // previewed on the canvas (the tools stay put, so hovering "Preview" does not shift the layout).
  const viewOnly = !canEdit || diff !== null;
  const readOnly = viewOnly || previewSpec !== null;
  // Only an editor has unsaved changes (a viewer's auto-layout on open is not one).
  const dirty = canEdit && wf !== null && saved !== null && JSON.stringify(wf) !== JSON.stringify(saved);
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
            setToast(
              `Laid out the nodes, which had no positions${canEditRef.current ? ": save to keep the layout" : ""}.`,
            );
            setTimeout(() => setToast(null), 5000);
          } catch {
            /* no layout engine: show them stacked, still editable */
          }
        }
        setRecord(rec);
        setPreviewSpec(null);
        setHistory(carry ? commit(reset(rec.spec), carry) : reset(shown));
        setSaved(rec.spec);
        setSelection(EMPTY_SEL);
        setLoadError(null);
        setHistoryKey((k) => k + 1);
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

  useEffect(() => {
    Api.catalogueNodes()
      .then((c) => setNodeSchemas(parseNodeSchemas(c)))
      .catch(() => undefined);
    Api.tools()
      .then((t) => setTools(parseTools(t)))
      .catch(() => undefined);
    Api.deploymentsCurrent(workflowId)
      .then((d) => setDeployedCount(Object.keys(d).length))
      .catch(() => undefined);
  }, [workflowId]);

  const validation = useValidation(wf);
  const compiled = useCompiled(wf, tab === "code");
  const runs = useRuns(workflowId, true);

  const change = useCallback((next: Workflow, key?: string) => {
    setHistory((h) => (h ? commit(h, next, key ?? null) : h));
  }, []);

  const flash = (text: string) => {
    setToast(text);
    setTimeout(() => setToast(null), 3000);
  };

  // ---- editing actions -------------------------------------------------------------------------
  const removeSelection = useCallback(() => {
    if (!wf || readOnly) return;
    const { nodes, edges, groups } = selection;
    if (nodes.length + edges.length + groups.length === 0) return;
    change(ops.removeElements(wf, { nodes, edges, groups }));
    setSelection(EMPTY_SEL);
  }, [wf, readOnly, selection, change]);

  const groupSelected = useCallback(() => {
    if (!wf || readOnly) return;
    const r = ops.groupSelection(wf, selection.nodes, selection.groups, `Group ${wf.groups.length + 1}`);
    if (!r) return;
    change(r.wf);
    setSelection({ nodes: [], edges: [], groups: [r.id] });
  }, [wf, readOnly, selection, change]);

  const copy = useCallback(() => {
    if (!wf || selection.nodes.length === 0) return;
    writeClipboard(ops.copySelection(wf, selection.nodes));
    flash(`Copied ${selection.nodes.length} node(s)`);
  }, [wf, selection]);

  // Pasted nodes land where the pointer is over the canvas, or in the middle of the view.
  const pointer = useRef<{ x: number; y: number } | null>(null);
  const pasteTarget = useCallback((): { x: number; y: number } | undefined => {
    const pane = document.querySelector(".react-flow__pane")?.getBoundingClientRect();
    if (!pane) return undefined;
    const p = pointer.current;
    const inside = p && p.x >= pane.left && p.x <= pane.right && p.y >= pane.top && p.y <= pane.bottom;
    return rf.screenToFlowPosition(
      inside ? p : { x: pane.left + pane.width / 2, y: pane.top + pane.height / 2 },
    );
  }, [rf]);

  const pasteFrom = useCallback(
    (payload: ops.ClipboardPayload | null, at?: { x: number; y: number }) => {
      if (!wf || readOnly || !payload) return;
      const r = ops.paste(wf, payload, at ?? pasteTarget());
      change(r.wf);
      setSelection({ nodes: r.ids, edges: [], groups: [] });
    },
    [wf, readOnly, change, pasteTarget],
  );

  const duplicate = useCallback(
    (ids: string[]) => {
      if (!wf || readOnly || !ids.length) return;
      const r = ops.duplicateNodes(wf, ids);
      change(r.wf);
      setSelection({ nodes: r.ids, edges: [], groups: [] });
    },
    [wf, readOnly, change],
  );

  const doUndo = useCallback(() => setHistory((h) => (h && !diff ? undo(h) : h)), [diff]);
  const doRedo = useCallback(() => setHistory((h) => (h && !diff ? redo(h) : h)), [diff]);

  const layout = useCallback(async () => {
    if (!wf || readOnly) return;
    const sizes = Object.fromEntries(
      rf
        .getNodes()
        .filter((n) => n.measured?.width)
        .map((n) => [n.id, { width: n.measured!.width!, height: n.measured!.height! }]),
    );
    try {
      const positions = await autoLayout(wf, sizes);
      change(ops.moveNodes(wf, positions));
      fit();
    } catch (e) {
      flash(`Auto-layout failed: ${(e as Error).message}`);
    }
  }, [wf, readOnly, rf, change, fit]);

  const addFromPalette = useCallback(
    (type: NodeType, extra: Record<string, unknown>, position?: { x: number; y: number }) => {
      if (!wf || readOnly) return;
      let pos = position;
      if (!pos) {
        const el = document.querySelector('[data-testid="canvas"]')?.getBoundingClientRect();
        pos = rf.screenToFlowPosition({
          x: (el?.left ?? 0) + (el?.width ?? 600) / 2,
          y: (el?.top ?? 0) + (el?.height ?? 400) / 2,
        });
        pos = { x: pos.x + (wf.nodes.length % 5) * 24, y: pos.y + (wf.nodes.length % 5) * 24 };
      }
      const r = ops.addNode(wf, type, pos, extra);
      change(r.wf);
      setSelection({ nodes: [r.id], edges: [], groups: [] });
      setTab("properties");
    },
    [wf, readOnly, rf, change],
  );

  // ---- saving -----------------------------------------------------------------------------------
  const save = useCallback(
    async (message: string, baseVersion = headVersion) => {
      if (!wf) return;
      setSaveError(null);
      try {
        const v = await Api.saveWorkflow(workflowId, wf, baseVersion, message, branch);
        setRecord((r) => (r ? { ...r, version: v.version, head_version: v.version, spec: wf } : r));
        setSaved(wf);
        setDialog(null);
        setConflict(null);
        setHistoryKey((k) => k + 1);
        flash(`Saved v${v.version}`);
      } catch (e) {
        const err = e as ApiError;
        if (err.status === 409) {
          setDialog(null);
          setConflict({
            headVersion: (err.body.head_version ??
              (err.body.detail as Record<string, unknown>)?.head_version) as number | undefined,
            baseVersion: (err.body.base_version as number | undefined) ?? baseVersion,
            message,
            diff: (err.body.diff as ServerDiffBody | undefined) ?? null,
            yours: (err.body.your_changes as ServerDiffBody | undefined) ?? null,
          });
        } else setSaveError({ message: err.message, problems: err.problems ?? [] });
      }
    },
    [wf, workflowId, headVersion, branch],
  );

  // ---- keyboard ---------------------------------------------------------------------------------
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (
        t &&
        (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)
      )
        return;
      const mod = e.ctrlKey || e.metaKey;
      const k = e.key.toLowerCase();
      if (e.key === "Delete" || e.key === "Backspace") removeSelection();
      else if (mod && k === "z" && !e.shiftKey) doUndo();
      else if (mod && (k === "y" || (k === "z" && e.shiftKey))) doRedo();
      else if (mod && k === "c") copy();
      else if (mod && k === "v") {
        // Nothing copied in this browser: let the paste event read the system clipboard instead.
        const payload = readClipboard();
        if (!payload) return;
        pasteFrom(payload);
      } else if (mod && k === "g") groupSelected();
      else if (mod && k === "d") duplicate(selection.nodes);
      else if (mod && k === "s") {
        if (!readOnly) setDialog("save");
      } else if (e.key === "Escape") setMenu(null);
      else return;
      e.preventDefault();
    };
    const onPaste = (e: ClipboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA")) return;
      const payload = parseClipboardText(e.clipboardData?.getData("text/plain") ?? "");
      if (payload) {
        e.preventDefault();
        pasteFrom(payload);
      }
    };
    window.addEventListener("keydown", onKey);
    window.addEventListener("paste", onPaste);
    return () => {
      window.removeEventListener("keydown", onKey);
      window.removeEventListener("paste", onPaste);
    };
  }, [removeSelection, doUndo, doRedo, copy, pasteFrom, groupSelected, duplicate, selection, readOnly]);

  // ---- overlays ---------------------------------------------------------------------------------
  const runInfo = useMemo(() => runs.detail?.nodes ?? {}, [runs.detail]);
  const shownDiff = useMemo(
    () => diff?.diff ?? (previewSpec && wf ? diffWorkflows(wf, previewSpec) : null),
    [diff, previewSpec, wf],
  );
  const overlays: Overlays = useMemo(
    () =>
      shownDiff
        ? {
            diff: {
              nodes: statusById(shownDiff.nodes),
              edges: statusById(shownDiff.edges),
              groups: statusById(shownDiff.groups),
            },
          }
        : {
            runs: runInfo,
            problems: validation.problems,
            predicted: runs.predicted,
            runActive: runs.detail ? isActive(runs.detail.state) || runs.detail.state === "running" : false,
          },
    [shownDiff, runInfo, validation.problems, runs.predicted, runs.detail],
  );
  const shown = useMemo(() => (shownDiff ? mergedForDiff(shownDiff) : wf), [shownDiff, wf]);

  const actions: CanvasActions = useMemo(
    () => ({
      readOnly,
      rename: (id, name) => wf && !readOnly && change(ops.updateNode(wf, id, { name: name.trim() })),
      resize: (id, size) => wf && !readOnly && change(ops.resizeNode(wf, id, size)),
      toggleGroup: (id) => wf && !shownDiff && change(ops.toggleCollapse(wf, id)),
      renameGroup: (id, label) => wf && !readOnly && change(ops.updateGroup(wf, id, { label })),
      openOutput: (id) => {
        setSelection({ nodes: [id], edges: [], groups: [] });
        setTab("properties");
        setFocus({ nodeId: id, what: "output", nonce: Date.now() });
      },
    }),
    [wf, readOnly, shownDiff, change],
  );

  const showDiff = useCallback(
    async (from: number, to: number) => {
      try {
        const [a, b] = await Promise.all([Api.version(workflowId, from), Api.version(workflowId, to)]);
        setDiff({ from, to, diff: diffWorkflows(a.spec, b.spec) });
        setSelection(EMPTY_SEL);
      } catch (e) {
        flash(`Diff failed: ${(e as Error).message}`);
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
        flash(`Rolled back to v${version} (now v${v.version})`);
      } catch (e) {
        flash(`Rollback failed: ${(e as Error).message}`);
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
        flash(`Saved v${v.version} on branch ${name}`);
      } catch (e) {
        flash(`Saving on branch ${name} failed: ${(e as Error).message}`);
      }
    },
    [wf, workflowId, switchBranch],
  );

  if (loadError) {
    return (
      <div className="cv-list">
        <div className="cv-alert" data-testid="load-error">
          Could not open workflow {workflowId}: {loadError}
        </div>
        <button className="cv-btn" onClick={onBack}>
          Back to workflows
        </button>
      </div>
    );
  }
  if (!wf || !shown || !history) return <div className="cv-list">Loading {workflowId}…</div>;

  const errors = validation.problems.filter((p) => p.severity !== "warning");
  const focusNode = (id: string) => {
    setSelection({ nodes: [id], edges: [], groups: [] });
    const node = rf.getNode(id);
    if (node) void rf.fitView({ nodes: [node], maxZoom: 1.2, duration: 200 });
  };
  const selectProblem = (p: Problem) => {
    if (p.node_id) setSelection({ nodes: [p.node_id], edges: [], groups: [] });
    else if (p.edge_id) setSelection({ nodes: [], edges: [p.edge_id], groups: [] });
    else if (p.group_id) setSelection({ nodes: [], edges: [], groups: [p.group_id] });
    setTab("properties");
    const node = p.node_id ? rf.getNode(p.node_id) : undefined;
    if (node) void rf.fitView({ nodes: [node], maxZoom: 1.2, duration: 200 });
  };

  return (
    <CanvasActionsContext.Provider value={actions}>
      <div className="cv-toolbar" data-testid="editor-toolbar">
        <button className="cv-btn" data-testid="back-to-list" onClick={onBack} title="All workflows">
          ←
        </button>
        <span className="cv-title" data-testid="editor-title">
          {wf.name || wf.id}
        </span>
        <span className="cv-badge" data-testid="editor-version">
          v{headVersion ?? "new"}
          {branch && branch !== "main" ? ` · ${branch}` : ""}
        </span>
        {dirty && canEdit && (
          <span className="cv-badge" data-testid="dirty">
            unsaved
          </span>
        )}
        <span className="cv-badge" data-testid="validation-status" data-status={validation.status}>
          {validation.status === "checking"
            ? "checking…"
            : validation.status === "valid"
              ? "valid"
              : validation.status === "invalid"
                ? `${errors.length} error(s)`
                : validation.status}
        </span>
        <span className="cv-spacer" />
        {!viewOnly && (
          <>
            <button
              className="cv-btn"
              data-testid="undo"
              disabled={!canUndo(history)}
              onClick={doUndo}
              title="Undo (Ctrl+Z)"
            >
              Undo
            </button>
            <button
              className="cv-btn"
              data-testid="redo"
              disabled={!canRedo(history)}
              onClick={doRedo}
              title="Redo (Ctrl+Y)"
            >
              Redo
            </button>
            <button
              className="cv-btn"
              data-testid="group-button"
              disabled={selection.nodes.length + selection.groups.length === 0}
              onClick={groupSelected}
              title="Group (Ctrl+G)"
            >
              Group
            </button>
            <button
              className="cv-btn"
              data-testid="layout-button"
              onClick={() => void layout()}
              title="Auto-layout (ELK, left to right)"
            >
              Auto-layout
            </button>
          </>
        )}
        <button className="cv-btn" data-testid="fit-button" onClick={fit}>
          Fit
        </button>
        {!viewOnly && (
          <button
            className="cv-btn primary"
            data-testid="save-button"
            onClick={() => setDialog("save")}
            title="Save a version (Ctrl+S)"
          >
            Save
          </button>
        )}
        {canEdit && (
          <button
            className="cv-btn"
            data-testid="run-button"
            onClick={() => {
              setTab("runs");
              setDialog("trigger");
            }}
          >
            Run
          </button>
        )}
      </div>
      {!canEdit && (
        <div className="cv-banner warn" data-testid="readonly-banner">
          Read-only: you can view this workflow but not change it.
        </div>
      )}
      {diff && (
        <div className="cv-banner diff" data-testid="diff-banner">
          Comparing v{diff.from} → v{diff.to}: <b style={{ color: "var(--cv-added)" }}>added</b>{" "}
          <b style={{ color: "var(--cv-removed)" }}>removed</b>{" "}
          <b style={{ color: "var(--cv-changed)" }}>changed</b>
          <button className="cv-btn small" onClick={() => setDiff(null)} data-testid="diff-exit-banner">
            Exit diff
          </button>
        </div>
      )}
      {runs.detail && !diff && !previewSpec && (
        <div className="cv-banner" data-testid="run-banner">
          Run <code>{runs.detail.run_id}</code>{" "}
          <span className={`cv-badge state-${stateClass(runs.detail.state)}`} data-testid="run-banner-state">
            {runs.detail.state}
          </span>
        </div>
      )}
      <div
        className="cv-body"
        onPointerMove={(e) => {
          pointer.current = { x: e.clientX, y: e.clientY };
        }}
      >
        {!viewOnly && (
          <Palette tools={tools} onAdd={(e: PaletteEntry) => addFromPalette(e.type, e.extra ?? {})} />
        )}
        {previewSpec && !diff && (
          // Over the canvas, not above it: hovering "Preview" in the chat must not shift the layout.
          <div className="cv-banner diff cv-preview-banner" data-testid="preview-banner">
            Previewing the co-pilot's proposal: <b style={{ color: "var(--cv-added)" }}>added</b>{" "}
            <b style={{ color: "var(--cv-removed)" }}>removed</b>{" "}
            <b style={{ color: "var(--cv-changed)" }}>changed</b>
            <button className="cv-btn small" onClick={() => setPreviewSpec(null)} data-testid="preview-exit">
              End preview
            </button>
          </div>
        )}
        <FlowCanvas
          wf={shown}
          overlays={overlays}
          readOnly={readOnly}
          selection={selection}
          onSelect={setSelection}
          onMove={(p) => change(ops.moveNodes(wf, p))}
          onConnect={(s: string, t: string, k: EdgeKind) => change(ops.connect(wf, s, t, k))}
          onDropNode={(type, extra, pos) => addFromPalette(type, extra, pos)}
          onMenu={(m) => {
            setMenu(m);
            if (m.kind === "node" && !selection.nodes.includes(m.id))
              setSelection({ nodes: [m.id], edges: [], groups: [] });
          }}
          fitKey={`${workflowId}:${diff ? `${diff.from}-${diff.to}` : "edit"}:${fitCount}`}
        />
        <div className="cv-dock" data-testid="dock">
          <div className="cv-tabs">
            {(["properties", "code", "runs", "history", "deploy", "copilot"] as Tab[]).map((t) => (
              <button
                key={t}
                className={`cv-tab ${tab === t ? "active" : ""}`}
                data-testid={`tab-${t}`}
                onClick={() => setTab(t)}
              >
                {t === "copilot" ? "Co-pilot" : t[0].toUpperCase() + t.slice(1)}
              </button>
            ))}
          </div>
          <div className="cv-dock-body">
            {tab === "properties" &&
              (diff ? (
                <DiffSummary diff={diff.diff} from={diff.from} to={diff.to} />
              ) : (
                <PropertyPanel
                  wf={wf}
                  selection={selection}
                  problems={validation.problems}
                  readOnly={readOnly}
                  change={change}
                  select={setSelection}
                  canWriteCode={canWriteCode}
                  nodeSchemas={nodeSchemas}
                  toolRefs={tools.map((t) => `${t.name}@${t.version}`)}
                  run={{
                    workflowId,
                    spec: wf,
                    runId: runs.runId,
                    runInfo,
                    predicted: runs.predicted,
                    readOnly,
                    focus,
                  }}
                />
              ))}
            {tab === "code" && <CodePanel {...compiled} />}
            {tab === "runs" && (
              <RunsPanel
                runs={runs}
                deployed={deployedCount > 0}
                readOnly={!canEdit}
                onTriggerClick={() => setDialog("trigger")}
              />
            )}
            {tab === "history" && (
              <HistoryPanel
                workflowId={workflowId}
                headVersion={headVersion}
                branch={branch ?? (record?.branch as string | undefined)}
                readOnly={!canEdit}
                diff={diff}
                onDiff={showDiff}
                onExitDiff={() => setDiff(null)}
                onRollback={rollback}
                refreshKey={historyKey}
                dirty={dirty}
                onSwitchBranch={(b) => void switchBranch(b)}
                onCreateBranch={async (name) => {
                  await Api.createBranch(workflowId, name, headVersion);
                  // The branch starts at the version being edited: unsaved edits apply to it as they are.
                  await switchBranch(name, dirty ? wf : null);
                  flash(`Created branch ${name} from v${headVersion ?? "?"}`);
                }}
                onMerged={(text) => {
                  void load(branch);
                  flash(text);
                }}
              />
            )}
            {tab === "deploy" && (
              <DeployPanel
                workflowId={workflowId}
                version={headVersion}
                dirty={dirty}
                readOnly={!canDeploy}
                onDeployed={() => setDeployedCount((c) => c + 1)}
              />
            )}
            {tab === "copilot" && (
              <CopilotPanel
                workflow={wf}
                selection={selection}
                problems={validation.problems}
                readOnly={viewOnly}
                prompt={copilotPrompt}
                onPromptTaken={() => setCopilotPrompt(null)}
                runErrors={Object.entries(runInfo)
                  .filter(([, i]) => stateClass(i.state) === "failed")
                  .map(([id, i]) => ({ node_id: id, state: String(i.state) }))}
                applySpec={(next) => change(next)}
                onPreview={setPreviewSpec}
                onFocusNode={focusNode}
              />
            )}
          </div>
        </div>
      </div>
      {validation.problems.length > 0 && !diff && (
        <div className="cv-problems" data-testid="problems">
          {validation.problems.map((p, i) => (
            <div
              key={i}
              className={`cv-problem ${p.severity}`}
              data-testid={`problem-${p.code}`}
              onClick={() => selectProblem(p)}
            >
              <span className="code">{p.code}</span>
              <span>{p.node_id || p.edge_id || p.group_id || "workflow"}</span>
              <span>{p.message}</span>
              {p.hint && <span className="cv-hint">{p.hint}</span>}
            </div>
          ))}
        </div>
      )}
      {toast && (
        <div
          className="cv-banner"
          data-testid="toast"
          style={{
            position: "absolute",
            bottom: 12,
            left: "40%",
            borderRadius: 8,
            border: "1px solid var(--cv-border)",
            zIndex: 20,
          }}
        >
          {toast}
        </div>
      )}
      {menu && (
        <ContextMenu
          menu={menu}
          readOnly={readOnly}
          hasRun={Boolean(runs.runId)}
          onClose={() => setMenu(null)}
          actions={{
            runNode: (id) => {
              setSelection({ nodes: [id], edges: [], groups: [] });
              setTab("properties");
              setFocus({ nodeId: id, what: "test", nonce: Date.now() });
            },
            output: actions.openOutput,
            duplicate: (id) => duplicate(selection.nodes.includes(id) ? selection.nodes : [id]),
            group: groupSelected,
            remove: removeSelection,
            removeEdge: (id) => change(ops.removeElements(wf, { edges: [id] })),
            toggleGroup: (id) => change(ops.toggleCollapse(wf, id)),
            ungroup: (id) => change(ops.ungroup(wf, id)),
            ask: (id) => {
              setTab("copilot");
              // The offline grammar's "explain node|group <id>" (a language model reads it just as well).
              const text = `explain ${menu.kind === "group" ? "group" : "node"} ${id}`;
              setCopilotPrompt({ text, nonce: Date.now() });
            },
            paste: () => pasteFrom(readClipboard(), rf.screenToFlowPosition({ x: menu.x, y: menu.y })),
            layout: () => void layout(),
            fit,
          }}
        />
      )}
      {dialog === "save" && (
        <SaveDialog
          onClose={() => {
            setDialog(null);
            setSaveError(null);
          }}
          onSave={(m) => save(m)}
          error={saveError}
        />
      )}
      {dialog === "trigger" && (
        <TriggerDialog
          wf={wf}
          onClose={() => setDialog(null)}
          onTrigger={async (p) => {
            await runs.trigger(p);
            setTab("runs");
          }}
        />
      )}
      {conflict && (
        <ConflictDialog
          conflict={conflict}
          branch={branch ?? "main"}
          onClose={() => setConflict(null)}
          onLoadTheirs={() => {
            setConflict(null);
            void load(branch);
          }}
          onKeepMine={() => void save(conflict.message, conflict.headVersion)}
          onSaveOnBranch={(name) => saveOnBranch(name, conflict.message, conflict.baseVersion)}
        />
      )}
    </CanvasActionsContext.Provider>
  );
}

function SaveDialog({
  onClose,
  onSave,
  error,
}: {
  onClose: () => void;
  onSave: (message: string) => Promise<void>;
  error: { message: string; problems: Problem[] } | null;
}) {
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState(false);
  return (
    <Modal title="Save a version" onClose={onClose} testId="save-dialog">
      <div className="cv-field">
        <label>What changed?</label>
        <input
          className="cv-input"
          autoFocus
          data-testid="save-message"
          value={message}
          onChange={(e) => setMessage(e.target.value)}
          onKeyDown={async (e) => {
            if (e.key === "Enter") {
              setBusy(true);
              await onSave(message);
              setBusy(false);
            }
          }}
        />
      </div>
      {error && (
        <div className="cv-alert" data-testid="save-error">
          {error.message}
          {error.problems.map((p, i) => (
            <div key={i}>
              {p.code}: {p.message}
              {p.hint ? ` (${p.hint})` : ""}
            </div>
          ))}
        </div>
      )}
      <div className="cv-actions">
        <button className="cv-btn" onClick={onClose}>
          Cancel
        </button>
        <button
          className="cv-btn primary"
          data-testid="save-confirm"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            await onSave(message);
            setBusy(false);
          }}
        >
          Save
        </button>
      </div>
    </Modal>
  );
}

interface MenuActions {
  runNode: (id: string) => void;
  output: (id: string) => void;
  duplicate: (id: string) => void;
  group: () => void;
  remove: () => void;
  removeEdge: (id: string) => void;
  toggleGroup: (id: string) => void;
  ungroup: (id: string) => void;
  ask: (id: string) => void;
  paste: () => void;
  layout: () => void;
  fit: () => void;
}

function ContextMenu({
  menu,
  readOnly,
  hasRun,
  onClose,
  actions,
}: {
  menu: MenuTarget;
  readOnly: boolean;
  hasRun: boolean;
  onClose: () => void;
  actions: MenuActions;
}) {
  useEffect(() => {
    const close = () => onClose();
    const t = setTimeout(() => window.addEventListener("click", close), 0);
    return () => {
      clearTimeout(t);
      window.removeEventListener("click", close);
    };
  }, [onClose]);
  const item = (label: string, testId: string, fn: () => void, show = true) =>
    show ? (
      <button
        key={testId}
        data-testid={`menu-${testId}`}
        onClick={() => {
          fn();
          onClose();
        }}
      >
        {label}
      </button>
    ) : null;
  const id = menu.id;
  return (
    <div
      className="cv-menu"
      style={{ left: menu.x, top: menu.y }}
      data-testid="context-menu"
      onContextMenu={(e) => e.preventDefault()}
    >
      {menu.kind === "node" && [
        item("Run this node (mock data)", "run-node", () => actions.runNode(id), !readOnly),
        item("Show output", "output", () => actions.output(id), hasRun),
        item("Duplicate", "duplicate", () => actions.duplicate(id), !readOnly),
        item("Group selection", "group", actions.group, !readOnly),
        item("Delete", "delete", actions.remove, !readOnly),
        item("Ask the co-pilot", "ask-copilot", () => actions.ask(id)),
      ]}
      {menu.kind === "edge" && [
        item("Delete connection", "delete-edge", () => actions.removeEdge(id), !readOnly),
      ]}
      {menu.kind === "group" && [
        item("Collapse / expand", "toggle-group", () => actions.toggleGroup(id)),
        item("Ungroup", "ungroup", () => actions.ungroup(id), !readOnly),
        item("Ask the co-pilot", "ask-copilot", () => actions.ask(id)),
      ]}
      {menu.kind === "pane" && [
        item("Paste", "paste", actions.paste, !readOnly),
        item("Auto-layout", "layout", actions.layout, !readOnly),
        item("Fit view", "fit", actions.fit),
      ]}
    </div>
  );
}

function ConflictDialog({
  conflict,
  branch,
  onClose,
  onLoadTheirs,
  onKeepMine,
  onSaveOnBranch,
}: {
  conflict: Conflict;
  branch: string;
  onClose: () => void;
  onLoadTheirs: () => void;
  onKeepMine: () => void;
  onSaveOnBranch: (name: string) => Promise<void>;
}) {
  const [name, setName] = useState(
    `mine-v${conflict.baseVersion ?? "x"}-${Date.now().toString(36).slice(-4)}`,
  );
  const [busy, setBusy] = useState(false);
  return (
    <Modal title="Someone else saved first" onClose={onClose} testId="conflict-dialog">
      <p data-testid="conflict-versions">
        {branch === "main" ? "This workflow" : `Branch ${branch}`} was saved by someone else (now v
        {conflict.headVersion ?? "?"}) since you opened v{conflict.baseVersion ?? "?"}.
      </p>
      <h3 style={{ fontSize: 13, margin: "8px 0 0" }}>Their changes</h3>
      <ChangeList diff={conflict.diff} testId="conflict-theirs" />
      {conflict.yours && (
        <>
          <h3 style={{ fontSize: 13, margin: "8px 0 0" }}>Your unsaved changes</h3>
          <ChangeList diff={conflict.yours} testId="conflict-yours" />
        </>
      )}
      <p className="cv-help">
        <b>Load theirs</b> discards your changes. <b>Keep mine</b> saves your version on top of theirs: where
        it differs from theirs, theirs is replaced (it stays in the history). <b>Save on a branch</b> keeps
        both: yours goes to a new branch from v{conflict.baseVersion ?? "?"}, to compare and merge from the
        History tab.
      </p>
      <div className="cv-row">
        <input
          className="cv-input"
          data-testid="conflict-branch-name"
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <button
          className="cv-btn"
          data-testid="conflict-save-branch"
          disabled={busy || !/^[A-Za-z0-9_][A-Za-z0-9_-]*$/.test(name)}
          onClick={async () => {
            setBusy(true);
            await onSaveOnBranch(name);
            setBusy(false);
          }}
        >
          Save on a branch
        </button>
      </div>
      <div className="cv-actions">
        <button className="cv-btn" data-testid="conflict-cancel" onClick={onClose}>
          Cancel
        </button>
        <button className="cv-btn" data-testid="conflict-load-theirs" onClick={onLoadTheirs}>
          Load theirs
        </button>
        <button className="cv-btn primary" data-testid="conflict-keep-mine" onClick={onKeepMine}>
          Keep mine
        </button>
      </div>
    </Modal>
  );
}
