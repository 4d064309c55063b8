// The workflow editor: toolbar, palette, canvas, right dock (properties, code, runs, history,
// deploy, co-pilot), problems bar, dialogs. The document (load, save, undo history, versions) is
// useWorkflowDocument's; the keyboard is useEditorKeys'; the dialogs and the context menu have
// their own modules.
import { useReactFlow } from "@xyflow/react";
import { useCallback, useEffect, useMemo, useState } from "react";
import { Api, type Me } from "../api/client";
import { FlowCanvas, type MenuTarget } from "../canvas/FlowCanvas";
import { CanvasActionsContext, type CanvasActions } from "../canvas/actions";
import { Palette, type PaletteEntry, type ToolInfo } from "../canvas/Palette";
import { makeRoomForNode } from "../canvas/groupRoom";
import { placeNewNodes } from "../canvas/placement";
import type { Overlays } from "../canvas/toFlow";
import { ChainDialogs } from "../chains/ChainDialogs";
import { CopilotPanel } from "../copilot/CopilotPanel";
import { DebugApi } from "../debug/api";
import { DebugMarkers } from "../debug/DebugMarkers";
import { DebugPanel } from "../debug/DebugPanel";
import { debugRunInfo } from "../debug/runInfo";
import { useDebugger } from "../debug/useDebugger";
import { placedProposal, proposalDiff } from "../copilot/proposalDiff";
import type { Proposal } from "../copilot/types";
import { CodePanel } from "../panels/CodePanel";
import { DeployPanel } from "../panels/DeployPanel";
import { DiffSummary, HistoryPanel } from "../panels/HistoryPanel";
import { PropertyPanel, type Selection } from "../panels/PropertyPanel";
import { RunsPanel, TriggerDialog } from "../panels/RunsPanel";
import type { EdgeKind, JsonSchema, Problem, Workflow } from "../spec/types";
import { mergedForDiff, statusById } from "../state/diff";
import { useCompiled, useRuns, useValidation } from "../state/hooks";
import * as ops from "../state/ops";
import { isActive, stateClass } from "../state/status";
import { ContextMenu } from "./ContextMenu";
import { EditorToolbar } from "./EditorToolbar";
import { readClipboard } from "./clipboard";
import { parseNodeSchemas, parseTools } from "./catalogue";
import { ConflictDialog, SaveDialog } from "./dialogs";
import { useLeaveGuard, useServerDraft } from "./drafts";
import {
  DiffBanner,
  DraftOffer,
  PreviewBanner,
  ProblemsBar,
  ReadOnlyBanner,
  RunBanner,
  Toast,
} from "./EditorBanners";
import { ShortcutsOverlay } from "./ShortcutsOverlay";
import { NodeSearch } from "./NodeSearch";
import { EMPTY_SEL, useCanvasEditing } from "./useCanvasEditing";
import { useEditorKeys } from "./useEditorKeys";
import { nodeSizes, useReveal } from "./useReveal";
import { useWorkflowDocument } from "./useWorkflowDocument";
import { useRunViews } from "../runs/useRunViews";

type Tab = "properties" | "code" | "runs" | "history" | "deploy" | "copilot" | "debug";

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
  const [selection, setSelection] = useState<Selection>(EMPTY_SEL);
  const [tab, setTab] = useState<Tab>("properties");
  const [menu, setMenu] = useState<MenuTarget | null>(null);
  const [dialog, setDialog] = useState<"save" | "trigger" | "shortcuts" | null>(null);
  const [toast, setToast] = useState<string | null>(null);
  const [nodeSchemas, setNodeSchemas] = useState<Record<string, JsonSchema>>({});
  const [tools, setTools] = useState<ToolInfo[]>([]);
  const [focus, setFocus] = useState<{ nodeId: string; what: "output" | "test"; nonce: number } | null>(null);
  const [copilotPrompt, setCopilotPrompt] = useState<{ text: string; nonce: number } | null>(null);
  const [deployedCount, setDeployedCount] = useState(0);
  // Bumped to ask the canvas to fit the whole workflow into view.
  const [fitCount, setFitCount] = useState(0);
  const fit = useCallback(() => setFitCount((c) => c + 1), []);
  // A co-pilot proposal hovered in the chat is drawn on the canvas as a diff against the draft.
  const [previewSpec, setPreviewSpec] = useState<Proposal | null>(null);

  const flash = useCallback((text: string, ms = 3000) => {
    setToast(text);
    setTimeout(() => setToast(null), ms);
  }, []);

  const canEdit = me !== undefined && (me === null || (me.permissions?.workflows ?? []).includes("edit"));
  const canDeploy = me !== undefined && (me === null || (me.permissions?.deployments ?? []).includes("edit"));
  const canWriteCode = me !== undefined && (me === null || (me.permissions?.code ?? []).includes("edit"));
  // Debugging runs code on the server: Canvas Tools "edit", as the node test (plugin/routes/debug.py).
  const canDebug = me !== undefined && (me === null || (me.permissions?.tools ?? []).includes("edit"));
  const doc = useWorkflowDocument(workflowId, {
    canEdit,
    flash,
    onLoaded: () => {
      setPreviewSpec(null);
      setSelection(EMPTY_SEL);
    },
    onDiffShown: () => setSelection(EMPTY_SEL),
  });
  const { wf, diff, history, branch, headVersion, dirty, conflict, change, load, switchBranch } = doc;
  const saveDocument = doc.save;
  // Never lose work: the edit is autosaved as this user's server-side draft and offered on reopen;
  // leaving with unsaved changes asks first (and writes a pending autosave).
  const draft = useServerDraft({
    workflowId,
    wf,
    saved: doc.saved,
    loadKey: doc.loadKey,
    dirty,
    canEdit,
    showingOther: diff !== null || previewSpec !== null,
    headVersion,
    branch,
  });
  const confirmLeave = useLeaveGuard(dirty, draft.flush);
  const back = useCallback(() => {
    if (confirmLeave()) onBack();
  }, [confirmLeave, onBack]);
  // `viewOnly` hides the editing tools; `readOnly` also locks the draft while a co-pilot proposal is
  // previewed on the canvas (the tools stay put, so hovering "Preview" does not shift the layout).
  const viewOnly = !canEdit || diff !== null;
  const readOnly = viewOnly || previewSpec !== null;

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

  // A proposal's new nodes are drawn where Apply will put them (placed free of overlap); its marks
  // are the server's diff of it, so only what it changes is marked.
  const shownDiff = useMemo(() => {
    if (diff) return diff.diff;
    const after = previewSpec && wf ? placedProposal(wf, previewSpec, nodeSizes(rf, wf)) : null;
    return after && wf ? proposalDiff(wf, after, previewSpec?.diff) : null;
  }, [diff, previewSpec, wf, rf]);
  const shown = useMemo(() => (shownDiff ? mergedForDiff(shownDiff) : wf), [shownDiff, wf]);
  const reveal = useReveal(shown);
  useEffect(() => {
    if (previewSpec && shownDiff)
      reveal(shownDiff.nodes.filter((n) => n.status === "added").map((n) => n.id));
  }, [previewSpec, shownDiff, reveal]);
  const validation = useValidation(wf);
  const dbg = useDebugger(workflowId, wf, me?.username ?? "");
  const debugOverlays: Overlays = useMemo(
    () => ({
      runs: debugRunInfo(dbg.view, dbg.reports, dbg.pins, dbg.running),
      problems: validation.problems,
    }),
    [dbg.view, dbg.reports, dbg.pins, dbg.running, validation.problems],
  );
  const compiled = useCompiled(wf, tab === "code");
  const runs = useRuns(workflowId, true);

  const showProperties = useCallback(() => setTab("properties"), []);
  const { removeSelection, groupSelected, copy, pointer, pasteFrom, duplicate, layout, addFromPalette } =
    useCanvasEditing({ wf, readOnly, selection, setSelection, change, flash, fit, showProperties, reveal });

  // ---- saving and the keyboard ------------------------------------------------------------------
  // The save dialog closes on a save and on a conflict (the conflict dialog takes over); an error
  // stays in it.
  const save = useCallback(
    async (message: string, baseVersion?: number) => {
      const outcome = await saveDocument(message, baseVersion ?? headVersion);
      if (outcome === "saved") draft.saved(); // the server deleted the draft with the save
      if (outcome === "saved" || outcome === "conflict") setDialog(null);
    },
    [saveDocument, headVersion, draft],
  );

  const duplicateSelection = useCallback(() => duplicate(selection.nodes), [duplicate, selection.nodes]);
  const openSave = useCallback(() => setDialog("save"), []);
  const closeMenu = useCallback(() => setMenu(null), []);
  const toggleShortcuts = useCallback(
    () => setDialog((d) => (d === "shortcuts" ? null : d === null ? "shortcuts" : d)),
    [],
  );
  useEditorKeys(
    {
      removeSelection,
      undo: doc.undo,
      redo: doc.redo,
      copy,
      paste: pasteFrom,
      group: groupSelected,
      duplicateSelection,
      openSave,
      closeMenu,
      toggleShortcuts,
    },
    readOnly,
  );

  // ---- overlays ---------------------------------------------------------------------------------
  const runInfo = useMemo(() => runs.detail?.nodes ?? {}, [runs.detail]);
  const views = useRunViews(workflowId, runs, runInfo);
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
            runs: views.runInfo,
            problems: validation.problems,
            predicted: runs.predicted,
            strips: views.strips,
            edgeFlows: views.edges,
            runActive: runs.detail ? isActive(runs.detail.state) || runs.detail.state === "running" : false,
          },
    [shownDiff, views, validation.problems, runs.predicted, runs.detail],
  );

  const actions: CanvasActions = useMemo(
    () => ({
      readOnly,
      rename: (id, name) => wf && !readOnly && change(ops.updateNode(wf, id, { name: name.trim() })),
      // A node grown over its neighbours pushes them clear (and its groups' frames make room).
      resize: (id, size) =>
        wf && !readOnly && change(makeRoomForNode(ops.resizeNode(wf, id, size), id, nodeSizes(rf, wf))),
      toggleGroup: (id) => wf && !shownDiff && change(ops.toggleCollapse(wf, id)),
      renameGroup: (id, label) => wf && !readOnly && change(ops.updateGroup(wf, id, { label })),
      openOutput: (id) => {
        setSelection({ nodes: [id], edges: [], groups: [] });
        setTab("properties");
        setFocus({ nodeId: id, what: "output", nonce: Date.now() });
      },
    }),
    [wf, readOnly, shownDiff, change, rf],
  );

  if (doc.loadError) {
    return (
      <div className="cv-list">
        <div className="cv-alert" data-testid="load-error">
          Could not open workflow {workflowId}: {doc.loadError}
        </div>
        <button className="cv-btn" onClick={back}>
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
      <EditorToolbar
        title={wf.name || wf.id}
        headVersion={headVersion}
        branch={branch}
        dirty={dirty && canEdit}
        validationStatus={validation.status}
        errorCount={errors.length}
        editing={!viewOnly}
        canRun={canEdit}
        canUndo={doc.canUndo}
        canRedo={doc.canRedo}
        canGroup={selection.nodes.length + selection.groups.length > 0}
        onBack={back}
        onUndo={doc.undo}
        onRedo={doc.redo}
        onGroup={groupSelected}
        onLayout={() => void layout()}
        onFit={fit}
        onSave={openSave}
        onRun={() => {
          setTab("runs");
          setDialog("trigger");
        }}
        debugging={dbg.active}
        onDebug={
          canDebug && !diff
            ? () => {
                if (dbg.active) dbg.exit();
                else {
                  dbg.start();
                  setTab("debug");
                }
              }
            : undefined
        }
      />
      {draft.offer && (
        <DraftOffer
          offer={draft.offer}
          headVersion={headVersion}
          branch={branch ?? "main"}
          onRestore={() => {
            // Undoable like any edit; saving it goes through the normal save (and its checks).
            change(draft.offer!.spec as unknown as Workflow);
            draft.restored();
            flash("Restored your unsaved changes: save to keep them as a version.");
          }}
          onDiscard={draft.discard}
        />
      )}
      {!canEdit && <ReadOnlyBanner />}
      {diff && <DiffBanner from={diff.from} to={diff.to} onExit={doc.exitDiff} />}
      {runs.detail && !diff && !previewSpec && (
        <RunBanner runId={runs.detail.run_id} state={String(runs.detail.state)} />
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
        {previewSpec && !diff && <PreviewBanner onEnd={() => setPreviewSpec(null)} />}
        <FlowCanvas
          wf={shown}
          overlays={dbg.active && !shownDiff ? debugOverlays : overlays}
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
        {dbg.active && !shownDiff && (
          <DebugMarkers
            breakpoints={dbg.breakpoints}
            pinned={Object.keys(dbg.pins)}
            current={dbg.paused}
            running={dbg.running}
          />
        )}
        <NodeSearch
          wf={shown}
          onPick={(id) => {
            setSelection({ nodes: [id], edges: [], groups: [] });
            setTab("properties");
          }}
        />
        <div className="cv-dock" data-testid="dock">
          <div className="cv-tabs">
            {(
              [
                // While debugging its tab comes first, where the dock's scrolling tab row never hides it.
                ...(dbg.active ? ["debug"] : []),
                "properties",
                "code",
                "runs",
                "history",
                "deploy",
                "copilot",
              ] as Tab[]
            ).map((t) => (
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
            {tab === "debug" && dbg.active && <DebugPanel dbg={dbg} inspect={selection.nodes[0] ?? null} />}
            {tab === "runs" && (
              <RunsPanel
                runs={runs}
                views={views}
                nodes={wf.nodes}
                deployed={deployedCount > 0}
                readOnly={!canEdit}
                onTriggerClick={() => setDialog("trigger")}
              />
            )}
            {tab === "history" && (
              <HistoryPanel
                workflowId={workflowId}
                headVersion={headVersion}
                branch={branch ?? (doc.record?.branch as string | undefined)}
                readOnly={!canEdit}
                diff={diff}
                onDiff={doc.showDiff}
                onExitDiff={doc.exitDiff}
                onRollback={doc.rollback}
                refreshKey={doc.historyKey}
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
                applySpec={(next) => {
                  // New nodes go free of overlap next to their neighbours, and into view.
                  const had = new Set(wf.nodes.map((n) => n.id));
                  const added = (next.nodes ?? []).filter((n) => !had.has(n.id)).map((n) => n.id);
                  change(placeNewNodes(next, added, nodeSizes(rf, wf)));
                  reveal(added);
                }}
                onPreview={setPreviewSpec}
                onFocusNode={focusNode}
              />
            )}
          </div>
        </div>
      </div>
      {validation.problems.length > 0 && !diff && (
        <ProblemsBar problems={validation.problems} onSelect={selectProblem} />
      )}
      {toast && <Toast text={toast} />}
      {menu && (
        <ContextMenu
          menu={menu}
          readOnly={readOnly}
          hasRun={Boolean(runs.runId)}
          debugging={dbg.active}
          onClose={() => setMenu(null)}
          actions={{
            toggleBreakpoint: dbg.toggleBreakpoint,
            runToHere: (id) => {
              setTab("debug");
              void dbg.run({ kind: "to", target: id });
            },
            rerunFrom: (id) => {
              const runId = runs.runId;
              if (
                !runId ||
                !window.confirm(
                  `Clear ${id} and everything after it in run ${runId}? Airflow runs them again.`,
                )
              )
                return;
              DebugApi.clear(workflowId, runId, id, false)
                .then((c) =>
                  flash(`Airflow cleared ${c.task_ids.join(", ")}: the run is ${c.run_state} again.`),
                )
                .catch((e: Error) => flash(`Could not re-run from ${id}: ${e.message}`, 6000));
            },
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
      <ChainDialogs
        wf={wf}
        selectedNodes={selection.nodes}
        readOnly={readOnly}
        change={change}
        flash={flash}
        selectGroup={(id) => {
          setSelection({ nodes: [], edges: [], groups: [id] });
          setTab("properties");
        }}
      />
      {dialog === "save" && (
        <SaveDialog
          onClose={() => {
            setDialog(null);
            doc.clearSaveError();
          }}
          onSave={(m) => save(m)}
          error={doc.saveError}
        />
      )}
      {dialog === "shortcuts" && <ShortcutsOverlay onClose={() => setDialog(null)} />}
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
          onClose={doc.dismissConflict}
          onLoadTheirs={() => {
            doc.dismissConflict();
            void load(branch);
          }}
          onKeepMine={() => void save(conflict.message, conflict.headVersion)}
          onSaveOnBranch={(name) => doc.saveOnBranch(name, conflict.message, conflict.baseVersion)}
        />
      )}
    </CanvasActionsContext.Provider>
  );
}
