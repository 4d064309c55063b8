// The React Flow surface. The spec is the source of truth: React Flow's node state is derived from
// it and only lives on its own during a drag or resize, which is committed as one undoable step.
import {
  Background,
  BackgroundVariant,
  ControlButton,
  Controls,
  MiniMap,
  ReactFlow,
  SelectionMode,
  applyEdgeChanges,
  applyNodeChanges,
  useReactFlow,
  type Connection,
  type Edge,
  type EdgeChange,
  type Node,
  type NodeChange,
  type Viewport,
} from "@xyflow/react";
import {
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type DragEvent,
  type MouseEvent as ReactMouseEvent,
} from "react";
import { positionOf, type EdgeKind, type NodeType, type Workflow } from "../spec/types";
import { groupAncestors } from "../state/ops";
import { CanvasEdge } from "./CanvasEdge";
import { CanvasNode, DETAIL_ZOOM } from "./CanvasNode";
import { GroupNode } from "./GroupNode";
import { FarLayer } from "./FarLayer";
import { farLayerOn, farScene, hitTest } from "./farLayer";
import { DRAG_MIME } from "./Palette";
import { useColorMode } from "../theme";
import { reconcileEdges, reconcileNodes } from "./reconcile";
import { toFlow, type MeasuredSizes, type Overlays } from "./toFlow";
import { fitViewportFor, memberSizes, mergeSizes } from "./bounds";
import type { Selection } from "../panels/PropertyPanel";

// Low enough that Fit shows a whole 5000-node workflow (a 110 x 45 grid of nodes 260 px apart in a
// 1000 px pane needs about 0.03); at 0.05 part of it stayed out of view.
const MIN_ZOOM = 0.02;
const MULTI_SELECTION_KEYS = ["Meta", "Control", "Shift"];
const PRO_OPTIONS = { hideAttribution: true };
const NO_NODES: Node[] = [];
const NO_EDGES: Edge[] = [];

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

const nodeTypes = { canvas: CanvasNode, cvgroup: GroupNode };
const edgeTypes = { canvas: CanvasEdge };

export type MenuTarget = { kind: "node" | "edge" | "group" | "pane"; id: string; x: number; y: number };

export interface FlowCanvasProps {
  wf: Workflow;
  overlays: Overlays;
  readOnly: boolean;
  selection: Selection;
  onSelect: (sel: Selection) => void;
  onMove: (positions: Record<string, { x: number; y: number }>) => void;
  onConnect: (source: string, target: string, kind: EdgeKind) => void;
  onDropNode: (type: NodeType, extra: Record<string, unknown>, position: { x: number; y: number }) => void;
  onMenu: (target: MenuTarget) => void;
  fitKey: string;
}

function selectedSet(sel: Selection): Set<string> {
  return new Set([...sel.nodes, ...sel.edges, ...sel.groups.map((g) => `group:${g}`)]);
}

/** Shift+drag draws a selection box (React Flow listens to pointer events). The browser reads the
 * same Shift+mousedown as "extend the text selection" and selected the dock's text up to the
 * pointer: its default action is cancelled, except in a text field. */
function keepPageTextUnselected(e: ReactMouseEvent) {
  const t = e.target as HTMLElement;
  if (e.shiftKey && e.button === 0 && !t.closest("input, textarea, select, [contenteditable]"))
    e.preventDefault();
}

export function FlowCanvas(props: FlowCanvasProps) {
  const { wf, overlays, readOnly, selection, fitKey } = props;
  // Every handler given to React Flow is stable and reads the latest props from here: a new
  // function on each render would make React Flow update its store and re-check every node and
  // edge (hundreds of them) whenever the editor around the canvas re-renders.
  const latest = useRef(props);
  latest.current = props;
  const rf = useReactFlow();
  const colorMode = useColorMode();
  const sel = useMemo(() => selectedSet(selection), [selection]);
  // Measured sizes of group members only: a group's frame must hold what is drawn, not the size
  // estimate. Ungrouped nodes need none, so a big flat workflow never re-derives for them.
  const [measured, setMeasured] = useState<MeasuredSizes>(() => new Map());
  // Zoomed far out, edges drop their arrowheads and hit areas (see styles.css): far fewer shapes to
  // paint per frame. Setting the same boolean again does not re-render.
  const [far, setFar] = useState(false);
  // A far node draws its state only and an edge no label: the run views that arrive one after the
  // other (strips, predictions, data on edges) are left out there, so each does not re-render
  // every node of a big canvas for nothing; zooming in derives them.
  const shown = useMemo(
    () => (far ? { ...overlays, strips: undefined, predicted: undefined, edgeFlows: undefined } : overlays),
    [far, overlays],
  );
  const derived = useMemo(() => toFlow(wf, shown, sel, measured), [wf, shown, sel, measured]);
  const [nodes, setNodes] = useState<Node[]>(derived.nodes);
  const [edges, setEdges] = useState<Edge[]>(derived.edges);
  const dragStart = useRef<Map<string, { x: number; y: number }>>(new Map());
  // A big canvas zoomed out is drawn on the far layer (farLayer.ts): React Flow then holds no
  // node or edge at all, and mounts them (culled to the view) once zoomed in past DETAIL_ZOOM.
  const layer = farLayerOn(derived.nodes.length, far);
  const scene = useMemo(() => (layer ? farScene(nodes, edges) : null), [layer, nodes, edges]);
  const sceneRef = useRef(scene);
  sceneRef.current = scene;
  // Selection flows one way: user clicks arrive here as "select" changes and go up to the editor;
  // the editor's selection comes back down through `derived`. (React Flow's onSelectionChange also
  // echoes programmatic selection one render late, which made the two fight.)
  const nodesRef = useRef(nodes);
  const edgesRef = useRef(edges);
  nodesRef.current = nodes;
  edgesRef.current = edges;
  const selectionRef = useRef(selection);
  selectionRef.current = selection;

  useEffect(() => {
    // An overlay that changes nothing on screen (say, an empty validation result) keeps the same
    // arrays, so React Flow does not walk a thousand nodes for nothing.
    const nextNodes = reconcileNodes(nodesRef.current, derived.nodes);
    const nextEdges = reconcileEdges(edgesRef.current, derived.edges);
    if (!sameItems(nextNodes, nodesRef.current)) setNodes((nodesRef.current = nextNodes));
    if (!sameItems(nextEdges, edgesRef.current)) setEdges((edgesRef.current = nextEdges));
  }, [derived]);

  // Fit from the spec's own positions, not from measured nodes: with onlyRenderVisibleElements the
  // nodes outside the view are never measured, so React Flow's fitView would not see them. An empty
  // canvas stays at zoom 1 so the first dropped node lands where it was dropped.
  const container = useRef<HTMLDivElement | null>(null);
  const fitViewport = useCallback((): Viewport | null => {
    const el = container.current;
    if (!el) return null;
    const { width, height } = el.getBoundingClientRect();
    // The reconciled nodes carry React Flow's measured sizes once drawn (a fresh derivation not).
    return fitViewportFor(nodesRef.current, width, height, MIN_ZOOM);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [derived]);
  // True while the view is what a fit made (no pan or zoom by the user since): see the resize below.
  const autoFitted = useRef(true);
  const fitToSpec = useCallback(() => {
    const viewport = fitViewport();
    autoFitted.current = true;
    if (viewport) rf.setViewport(viewport);
  }, [fitViewport, rf]);
  const fitRef = useRef(fitToSpec);
  fitRef.current = fitToSpec;

  // React Flow mounts only once the container's size is known, already at the fitted viewport: a
  // big workflow is then drawn once, in its far level of detail, instead of first at zoom 1 and
  // again after a fit (mounting hundreds of nodes twice).
  const [initialViewport, setInitialViewport] = useState<Viewport | null>(null);
  const fittedKey = useRef<string | null>(null);
  useLayoutEffect(() => {
    if (initialViewport) return;
    const fitted = fitViewport();
    // Without a size yet (or without nodes) start at zoom 1; the effect below fits once it can.
    if (fitted) fittedKey.current = fitKey;
    const viewport = fitted ?? { x: 0, y: 0, zoom: 1 };
    setInitialViewport(viewport);
    setFar(viewport.zoom < DETAIL_ZOOM);
  }, [initialViewport, fitViewport, fitKey]);

  // Later fits (another workflow, a diff, the Fit button) wait for React Flow's pan/zoom, which it
  // sets up in its own effect, after ours.
  const ready = rf.viewportInitialized;
  useEffect(() => {
    if (!ready || fittedKey.current === fitKey) return;
    fittedKey.current = fitKey;
    fitRef.current();
  }, [fitKey, ready]);

  // The first fit can run before the palette beside the canvas has its width (its tools and
  // operators load after the workflow): the canvas then narrows from the left and the fitted graph
  // ends up running under the dock. While the user has not moved the view since the last automatic
  // fit, a change of the canvas's size fits again.
  useEffect(() => {
    const el = container.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    let last = el.getBoundingClientRect();
    const observer = new ResizeObserver(() => {
      const now = el.getBoundingClientRect();
      if (Math.abs(now.width - last.width) < 1 && Math.abs(now.height - last.height) < 1) return;
      last = now;
      if (autoFitted.current && rf.viewportInitialized) fitRef.current();
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [rf]);
  const onMoveStart = useCallback((event: unknown) => {
    if (event) autoFitted.current = false; // a user's pan or zoom (programmatic moves have no event)
  }, []);

  const emitSelection = useCallback(() => {
    const ns = nodesRef.current.filter((n) => n.selected);
    const next: Selection = {
      nodes: ns.filter((n) => n.type === "canvas").map((n) => n.id),
      groups: ns.filter((n) => n.type === "cvgroup").map((n) => n.id.slice("group:".length)),
      edges: edgesRef.current.filter((e) => e.selected && !e.id.startsWith("agg:")).map((e) => e.id),
    };
    const cur = selectionRef.current;
    const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
    if (!same(next.nodes, cur.nodes) || !same(next.edges, cur.edges) || !same(next.groups, cur.groups)) {
      selectionRef.current = next;
      latest.current.onSelect(next);
    }
  }, []);

  const onNodesChange = useCallback(
    (changes: NodeChange[]) => {
      nodesRef.current = applyNodeChanges(changes, nodesRef.current);
      setNodes(nodesRef.current);
      const grown = memberSizes(changes, nodesRef.current);
      if (grown) setMeasured((cur) => mergeSizes(cur, grown) ?? cur);
      if (changes.some((c) => c.type === "select")) emitSelection();
    },
    [emitSelection],
  );
  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => {
      edgesRef.current = applyEdgeChanges(changes, edgesRef.current);
      setEdges(edgesRef.current);
      if (changes.some((c) => c.type === "select")) emitSelection();
    },
    [emitSelection],
  );

  const absolute = useCallback(
    (id: string) => rf.getInternalNode(id)?.internals.positionAbsolute ?? { x: 0, y: 0 },
    [rf],
  );

  const onNodeDragStart = useCallback(
    (_e: unknown, _n: Node, dragged: Node[]) => {
      dragStart.current = new Map(dragged.map((d) => [d.id, { ...absolute(d.id) }]));
    },
    [absolute],
  );

  const onNodeDragStop = useCallback(
    (_e: unknown, _n: Node, dragged: Node[]) => {
      const wf = latest.current.wf;
      const draggedGroups = new Set(dragged.filter((d) => d.type === "cvgroup").map((d) => d.id.slice(6)));
      const positions: Record<string, { x: number; y: number }> = {};
      for (const d of dragged) {
        const start = dragStart.current.get(d.id);
        if (!start) continue;
        const end = absolute(d.id);
        const dx = end.x - start.x;
        const dy = end.y - start.y;
        if (dx === 0 && dy === 0) continue;
        if (d.type === "cvgroup") {
          const gid = d.id.slice(6);
          // Skip when an outer group is dragged too: it already moves everything inside.
          if (
            groupAncestors(wf, wf.groups.find((g) => g.id === gid)?.parent).some((a) => draggedGroups.has(a))
          )
            continue;
          for (const n of wf.nodes) {
            if (!groupAncestors(wf, n.group).includes(gid)) continue;
            const p = positions[n.id] ?? positionOf(n);
            positions[n.id] = { x: p.x + dx, y: p.y + dy };
          }
        } else {
          const node = wf.nodes.find((n) => n.id === d.id);
          if (!node || groupAncestors(wf, node.group).some((a) => draggedGroups.has(a))) continue;
          const p = positionOf(node);
          positions[d.id] = { x: p.x + dx, y: p.y + dy };
        }
      }
      if (Object.keys(positions).length) latest.current.onMove(positions);
    },
    [absolute],
  );

  const handleConnect = useCallback((c: Connection) => {
    if (!c.source || !c.target || c.source.startsWith("group:") || c.target.startsWith("group:")) return;
    const kind = (c.sourceHandle?.replace(/^out-/, "") || "data_flow") as EdgeKind;
    latest.current.onConnect(c.source, c.target, kind);
  }, []);

  const onDragOver = (e: DragEvent) => {
    if (readOnly) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "copy";
  };
  const onDrop = (e: DragEvent) => {
    if (readOnly) return;
    const raw = e.dataTransfer.getData(DRAG_MIME);
    if (!raw) return;
    e.preventDefault();
    const { type, extra } = JSON.parse(raw) as { type: NodeType; extra: Record<string, unknown> };
    latest.current.onDropNode(type, extra, rf.screenToFlowPosition({ x: e.clientX, y: e.clientY }));
  };

  const onViewportMove = useCallback(
    (_e: unknown, viewport: { zoom: number }) => setFar(viewport.zoom < DETAIL_ZOOM),
    [],
  );

  // On the far layer a click hit-tests its scene: a node is selected and zoomed into (to where its
  // real node, with its name and run data, is drawn), a click on empty space clears the selection.
  const onPaneClick = useCallback(
    (e: ReactMouseEvent) => {
      const scene = sceneRef.current;
      if (!scene) return;
      const p = rf.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      const hit = hitTest(scene, p.x, p.y);
      const next: Selection = { nodes: [], edges: [], groups: [] };
      if (hit?.group) next.groups = [hit.id.slice("group:".length)];
      else if (hit) next.nodes = [hit.id];
      latest.current.onSelect(next);
      if (hit) autoFitted.current = false;
      if (hit && !hit.group) void rf.setCenter(hit.x + hit.w / 2, hit.y + hit.h / 2, { zoom: 1 });
    },
    [rf],
  );

  const menus = useMemo(() => {
    const menu = (kind: MenuTarget["kind"]) => (e: ReactMouseEvent | MouseEvent, el?: { id: string }) => {
      e.preventDefault();
      const id = el?.id ?? "";
      const isGroup = id.startsWith("group:");
      latest.current.onMenu({
        kind: isGroup ? "group" : kind,
        id: isGroup ? id.slice(6) : id,
        x: e.clientX,
        y: e.clientY,
      });
    };
    return { node: menu("node"), edge: menu("edge"), pane: menu("pane") };
  }, []);

  return (
    <div
      className={far ? "cv-flow cv-far" : "cv-flow"}
      data-testid="canvas"
      ref={container}
      onDragOver={onDragOver}
      onDrop={onDrop}
      onMouseDown={keepPageTextUnselected}
    >
      {initialViewport && (
        <ReactFlow
          defaultViewport={initialViewport}
          onMove={onViewportMove}
          onMoveStart={onMoveStart}
          nodes={layer ? NO_NODES : nodes}
          edges={layer ? NO_EDGES : edges}
          onPaneClick={onPaneClick}
          nodeTypes={nodeTypes}
          edgeTypes={edgeTypes}
          onNodesChange={onNodesChange}
          onEdgesChange={onEdgesChange}
          onNodeDragStart={onNodeDragStart}
          onNodeDragStop={onNodeDragStop}
          onConnect={handleConnect}
          onNodeContextMenu={menus.node}
          onEdgeContextMenu={menus.edge}
          onPaneContextMenu={menus.pane}
          nodesDraggable={!readOnly}
          nodesConnectable={!readOnly}
          elementsSelectable
          deleteKeyCode={null}
          selectionKeyCode="Shift"
          multiSelectionKeyCode={MULTI_SELECTION_KEYS}
          selectionOnDrag={false}
          selectionMode={SelectionMode.Partial}
          // Culling pays zoomed in, where a few of many nodes are in view. Zoomed far out most of
          // the workflow is in view anyway, and culling only mounted and unmounted the nodes at the
          // edge of the view on every frame of a pan or zoom (5000 nodes: p95 2.6x bare React
          // Flow's with it, 1.3x without), so there everything drawn stays drawn.
          onlyRenderVisibleElements={!far}
          minZoom={MIN_ZOOM}
          maxZoom={2.5}
          proOptions={PRO_OPTIONS}
          colorMode={colorMode}
        >
          {/* Zoomed far out the dots would be a few pixels apart: a full-screen pattern to repaint on
            every frame of a pan, and only noise. */}
          {scene && <FarLayer scene={scene} />}
          {!far && <Background variant={BackgroundVariant.Dots} gap={18} size={1} />}
          <Controls showInteractive={false} showFitView={false}>
            <ControlButton
              onClick={fitToSpec}
              title="Fit the whole workflow"
              aria-label="fit view"
              data-testid="controls-fit"
            >
              <svg viewBox="0 0 32 30">
                <path d="M3.692 4.63c0-.53.4-.938.939-.938h5.215V0H4.708C2.13 0 0 2.054 0 4.63v5.216h3.692V4.631zM27.354 0h-5.2v3.692h5.17c.53 0 .984.4.984.939v5.215H32V4.631A4.624 4.624 0 0027.354 0zm.954 24.83c0 .532-.4.94-.939.94h-5.215v3.768h5.215c2.577 0 4.631-2.13 4.631-4.707v-5.139h-3.692v5.139zm-23.677.94c-.531 0-.939-.4-.939-.94v-5.138H0v5.139c0 2.577 2.13 4.707 4.708 4.707h5.138V25.77H4.631z" />
              </svg>
            </ControlButton>
          </Controls>
          {/* On the far layer the whole workflow is in view already (and React Flow holds no node
            for the minimap to draw). */}
          {!layer && <MiniMap pannable zoomable nodeStrokeWidth={3} data-testid="minimap" />}
        </ReactFlow>
      )}
    </div>
  );
}
