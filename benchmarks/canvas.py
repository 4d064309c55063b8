"""Canvas rendering benchmark (headless Debian chromium): time to first render and frame times while
panning and zooming, for 100/500/1000/5000-node workflows with a run's per-node data shown, plus 1000
nodes folded into collapsed groups.

The built bundle (airflow_canvas/static/main.js) is loaded exactly as Airflow loads it, on the
harness page that provides the host's React globals; the plugin API is answered by a small
in-process mock, so the numbers measure the canvas and not Airflow.

    .venv/bin/python benchmarks/canvas.py [--sizes 100,500,1000,5000] [--repeat 3] [--json out.json]

Targets (issues 5 and 18): 1000 nodes rendered within 1.2x of bare React Flow in the same run;
pan/zoom at 500 nodes with p95 frame <= 33 ms; 5000 nodes rendered within 3 s and pan/zoom p95 <= 50 ms,
with a run's per-node data shown. "Rendered" means every node measured and visible and every edge
drawn, read one frame later (so the frame was painted). Baseline, measured in the same run on the same
workflows: bare React Flow with its defaults (harness/baseline.html), which draws plain boxes without
any of the canvas's work.

Run data goes the way the editor gets it: the mocked plugin API lists five finished runs of the
workflow, answers each run's detail with every node's state, duration and try (a mix of success,
failed, up_for_retry, running and skipped), the run history (runs x nodes grid: each node's strip of
recent runs, tokens and cost), the metrics' prediction (per-node seconds) and each run's data on
edges (items, size, sample). The editor reads history and prediction at load and, once the benchmark
opens the Runs tab and picks the latest run as a user does, draws every node in its run state ("run
shown": from that click until no node on the canvas is idle). Pan/zoom is measured with that run
shown.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

STATIC = Path(
    __import__("os").environ.get(
        "CANVAS_STATIC", Path(__file__).resolve().parent.parent / "airflow_canvas" / "static"
    )
)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ALL_PERMISSIONS = {"workflows": ["read", "create", "edit", "delete"]}
RUN_IDS = [f"bench_run_{i}" for i in range(5)]
# The states a run's nodes are given, in turn: mostly success, some of every state a node shows.
RUN_STATES = ["success"] * 6 + ["failed", "up_for_retry", "running", "skipped"]


def run_summary(workflow_id: str, run_id: str, i: int) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "dag_id": f"canvas__{workflow_id}",
        "state": "failed",
        "conf": {},
        "logical_date": None,
        "queued_at": f"2026-12-0{5 - i}T02:00:00Z",
        "start_date": f"2026-12-0{5 - i}T02:00:01Z",
        "end_date": f"2026-12-0{5 - i}T02:09:00Z",
    }


def node_state(i: int, run: int) -> str:
    return RUN_STATES[(i + run) % len(RUN_STATES)]


def run_history(workflow_id: str, spec: dict[str, Any]) -> dict[str, Any]:
    """The runs x nodes grid (GET run-history): each node's strip of recent runs on the canvas."""
    runs = [
        {k: v for k, v in run_summary(workflow_id, r, i).items() if k in ("run_id", "start_date", "end_date")}
        | {"state": "failed", "duration": 539.0, "cost": 0.42}
        for i, r in enumerate(RUN_IDS)
    ]
    nodes = {
        n["id"]: {
            r: {
                "state": node_state(i, k),
                "duration": round(0.5 + ((i + k) % 37) * 0.7, 2),
                "tries": 1,
                "map_count": None,
                "tokens": 1200 if n["type"] == "agent" else None,
                "cost": 0.0021 if n["type"] == "agent" else None,
            }
            for k, r in enumerate(RUN_IDS)
        }
        for i, n in enumerate(spec["nodes"])
    }
    return {"workflow_id": workflow_id, "limit": 20, "with_usage": True, "runs": runs, "nodes": nodes}


def metrics(workflow_id: str, spec: dict[str, Any]) -> dict[str, Any]:
    """GET metrics: the prediction of the next run (per-node seconds) the canvas shows."""
    stats = {"max": 540.0, "mean": 520.0, "median": 525.0, "p90": 538.0}
    return {
        "workflow_id": workflow_id,
        "limit": 20,
        "runs": len(RUN_IDS),
        "run_ids": RUN_IDS,
        "duration_seconds": stats,
        "predicted_duration_seconds": 525.0,
        "nodes": {},
        "prediction": {
            "duration_seconds": 525.0,
            "cost_usd": 0.42,
            "cost_budget_usd": None,
            "critical_path": [n["id"] for n in spec["nodes"]][:50],
            "node_seconds": {n["id"]: round(0.5 + (i % 37) * 0.7, 2) for i, n in enumerate(spec["nodes"])},
            "node_costs": {},
            "nodes_without_history": [],
        },
    }


def run_edges(spec: dict[str, Any], run_id: str) -> dict[str, Any]:
    """GET runs/{run}/edges: the data that went along each edge (items, size, a sample)."""
    edges = {
        f"{e['source']}->{e['target']}": {
            "source": e["source"],
            "target": e["target"],
            "items": 1 + i % 9,
            "bytes": 180 + (i % 50) * 20,
            "sample": '{"rows": [1, 2, 3]}',
            "truncated": False,
        }
        for i, e in enumerate(spec["edges"])
    }
    return {"run_id": run_id, "edges": edges}


def run_detail(spec: dict[str, Any], run_id: str) -> dict[str, Any]:
    """Every node's state, duration and try in one run: the per-node data the canvas draws."""
    nodes = {}
    for i, n in enumerate(spec["nodes"]):
        state = node_state(i, RUN_IDS.index(run_id))
        nodes[n["id"]] = {
            "state": state,
            "try_number": 2 if state == "up_for_retry" else 1,
            "duration": None if state in ("running", "skipped") else round(0.5 + (i % 37) * 0.7, 2),
            "start_date": "2026-12-05T02:00:01Z",
            "end_date": None if state == "running" else "2026-12-05T02:09:00Z",
            "task_id": n["id"],
            "log_url": None,
            "map_count": None,
        }
    return {"run_id": run_id, "state": "failed", "nodes": nodes}


def synthetic_workflow(n: int, groups: int = 0, collapsed: bool = False) -> dict[str, Any]:
    """A grid of n nodes chained left to right (an input, then process/tool/agent steps, then an
    output, so every edge is one the canvas can draw), optionally split into (collapsed) groups."""
    middle = ["process", "tool", "agent", "process"]
    cols = max(1, int((n * 2.5) ** 0.5))
    nodes = []
    for i in range(n):
        node: dict[str, Any] = {
            "id": f"n{i}",
            "type": "input" if i == 0 else "output" if i == n - 1 else middle[i % len(middle)],
            "name": f"Step {i}",
            "ui": {"position": {"x": (i % cols) * 260, "y": (i // cols) * 110}},
        }
        if node["type"] == "tool":
            node["tool"] = "http_get@1.0.0"
        if groups:
            node["group"] = f"g{i * groups // n}"
        nodes.append(node)
    edges = [{"source": f"n{i - 1}", "target": f"n{i}", "kind": "data_flow"} for i in range(1, n)]
    group_list = [{"id": f"g{g}", "label": f"Stage {g}", "collapsed": collapsed} for g in range(groups)]
    return {"id": "bench", "name": f"{n} nodes", "nodes": nodes, "edges": edges, "groups": group_list}


class _Handler(SimpleHTTPRequestHandler):
    workflows: dict[str, dict[str, Any]] = {}

    def log_message(self, *args: Any) -> None:  # keep the benchmark output readable
        pass

    def _json(self, body: Any, status: int = 200) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _api(self, path: str) -> None:
        if path == "/me":
            return self._json({"username": "bench", "roles": ["Admin"], "permissions": ALL_PERMISSIONS})
        if path == "/validate":
            return self._json({"valid": True, "problems": []})
        parts = path.strip("/").split("/")
        if parts[0] == "workflows" and len(parts) == 2 and parts[1] in self.workflows:
            return self._json(
                {
                    "workflow_id": parts[1],
                    "version": 1,
                    "head_version": 1,
                    "branch": "main",
                    "spec": self.workflows[parts[1]],
                }
            )
        if parts[0] == "workflows" and len(parts) == 3 and parts[2] == "deployments":
            return self._json({"items": [], "current": {}})
        if parts[0] == "workflows" and len(parts) >= 3 and parts[1] in self.workflows and parts[2] == "runs":
            if len(parts) == 3:
                items = [run_summary(parts[1], r, i) for i, r in enumerate(RUN_IDS)]
                return self._json({"items": items, "limit": 25, "offset": 0, "total": len(items)})
            if len(parts) == 4 and parts[3] in RUN_IDS:
                return self._json(run_detail(self.workflows[parts[1]], parts[3]))
            if len(parts) == 5 and parts[3] in RUN_IDS and parts[4] == "edges":
                return self._json(run_edges(self.workflows[parts[1]], parts[3]))
        if parts[0] == "workflows" and len(parts) == 3 and parts[1] in self.workflows:
            if parts[2] == "run-history":
                return self._json(run_history(parts[1], self.workflows[parts[1]]))
            if parts[2] == "metrics":
                return self._json(metrics(parts[1], self.workflows[parts[1]]))
        return self._json({"items": [], "total": 0})

    def do_GET(self) -> None:
        path = urlparse(self.path).path
        if path.startswith("/airflow-canvas/api"):
            return self._api(path[len("/airflow-canvas/api") :])
        if path.startswith("/airflow-canvas/static/"):
            self.path = path[len("/airflow-canvas/static") :]
            return super().do_GET()
        self.send_error(404)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self._api(urlparse(self.path).path[len("/airflow-canvas/api") :])


def serve(workflows: dict[str, dict[str, Any]]) -> ThreadingHTTPServer:
    handler = type("Handler", (_Handler,), {"workflows": workflows})
    server = ThreadingHTTPServer(("127.0.0.1", 0), lambda *a: handler(*a, directory=str(STATIC)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# Runs in the page: resolves with the ms since navigation at which every node is measured and
# visible and every edge is drawn, taken one frame later so that the frame has been painted. A big
# workflow opens zoomed out on the canvas's far layer (ui/src/canvas/farLayer.ts: one <canvas> that
# draws every node in its state colour and every edge, instead of React Flow components): there
# "drawn" is the layer's own signal, set right after its first paint, that it painted that many
# nodes and edges.
WAIT_RENDERED = """([nodes, edges]) => new Promise((resolve, reject) => {
  const start = performance.now();
  const check = () => {
    const layer = document.querySelector('[data-testid="far-layer"][data-painted="true"]');
    if (layer && +layer.dataset.nodes >= nodes && +layer.dataset.edges >= edges)
      return requestAnimationFrame(() => resolve(performance.now()));
    const all = document.querySelectorAll('.react-flow__node');
    const hidden = document.querySelectorAll('.react-flow__node[style*="visibility: hidden"]');
    const drawn = document.querySelectorAll('.react-flow__edge');
    if (all.length >= nodes && hidden.length === 0 && drawn.length >= edges)
      requestAnimationFrame(() => resolve(performance.now()));
    else if (performance.now() - start > 30000)
      reject(new Error(`not rendered after 30 s: ${all.length} nodes (${hidden.length} hidden), ${drawn.length} edges`));
    else requestAnimationFrame(check);
  };
  check();
})"""

# The point nearest (x, y) where a press lands on the empty pane.
EMPTY_PANE_POINT = """([x, y]) => {
  for (let r = 0; r < 400; r += 4)
    for (let a = 0; a < 360; a += 15) {
      const px = x + r * Math.cos(a * Math.PI / 180), py = y + r * Math.sin(a * Math.PI / 180);
      const el = document.elementFromPoint(px, py);
      if (el && el.classList.contains('react-flow__pane')) return [px, py];
    }
  throw new Error('no empty pane point near the centre');
}"""

# Runs in the page: ms from the click on a run (window.__clickAt, set by a capturing listener) until
# no node on the canvas is idle any more (every drawn node wears its state from that run), read one
# frame later.
MARK_CLICK = """() => document.addEventListener('click', () => { window.__clickAt = performance.now(); },
  {capture: true, once: true})"""
WAIT_RUN_SHOWN = """() => new Promise((resolve, reject) => {
  const start = performance.now();
  const check = () => {
    // The far layer: every node it painted wears a state of the run (none idle).
    const layer = document.querySelector('[data-testid="far-layer"][data-painted="true"]');
    if (layer && +layer.dataset.nodes > 0 && layer.dataset.idle === '0')
      return requestAnimationFrame(() => resolve(performance.now() - window.__clickAt));
    const nodes = document.querySelectorAll('[data-testid="canvas"] .react-flow__node-canvas [data-state]');
    const idle = document.querySelectorAll('[data-testid="canvas"] .react-flow__node-canvas [data-state="idle"]');
    if (nodes.length && idle.length === 0)
      requestAnimationFrame(() => resolve(performance.now() - window.__clickAt));
    else if (performance.now() - start > 30000)
      reject(new Error(`run not shown after 30 s: ${idle.length} of ${nodes.length} nodes idle`));
    else requestAnimationFrame(check);
  };
  check();
})"""

START_FRAMES = """() => { window.__frames = []; let last = performance.now();
  const tick = (t) => { window.__frames.push(t - last); last = t; if (window.__recording) requestAnimationFrame(tick); };
  window.__recording = true; requestAnimationFrame(tick); }"""


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else 0.0


def measure(
    page: Any,
    base: str,
    name: str,
    expected: tuple[int, int],
    harness: str = "index.html",
    show_run: bool = True,
) -> dict[str, Any]:
    """Time to first render, time to show a run (the canvas only) and pan/zoom frame times of one
    workflow on one harness page."""
    page.goto(f"{base}/airflow-canvas/static/harness/{harness}?workflow={name}")
    rendered_ms = page.evaluate(WAIT_RENDERED, list(expected))
    run_ms = None
    if harness == "index.html" and show_run:
        # As a user does: the Runs tab, then the latest run (the row's run id).
        page.locator('[data-testid="tab-runs"]').click()
        row = page.locator(f'[data-testid="run-row-{RUN_IDS[0]}"] button').first
        row.wait_for()
        page.evaluate(MARK_CLICK)
        row.click()
        run_ms = page.evaluate(WAIT_RUN_SHOWN)
    page.wait_for_timeout(300)
    box = page.locator(".react-flow__pane").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.evaluate(START_FRAMES)
    # Pan: drag the empty pane (not a node: that would move the node) around; zoom: wheel in and
    # out around the centre.
    for dx, dy in ((300, 0), (0, 200), (-300, 0), (0, -200)):
        sx, sy = page.evaluate(EMPTY_PANE_POINT, [cx, cy])
        page.mouse.move(sx, sy)
        page.mouse.down()
        for step in range(1, 21):
            page.mouse.move(sx + dx * step / 20, sy + dy * step / 20)
        page.mouse.up()
    page.mouse.move(cx, cy)
    for delta in [-120] * 10 + [120] * 10:
        page.mouse.wheel(0, delta)
        page.wait_for_timeout(16)
    frames: list[float] = page.evaluate(
        "() => { window.__recording = false; return window.__frames.slice(1); }"
    )
    return {
        "workflow": name,
        "nodes_in_dom": page.locator(".react-flow__node").count(),
        # Nodes painted on the far layer instead (a big workflow zoomed out), 0 when it is off.
        "nodes_on_layer": int(page.locator('[data-testid="far-layer"]').get_attribute("data-nodes") or 0)
        if page.locator('[data-testid="far-layer"]').count()
        else 0,
        "first_render_ms": round(rendered_ms, 1),
        "run_shown_ms": None if run_ms is None else round(run_ms, 1),
        "frames": len(frames),
        "frame_p50_ms": round(statistics.median(frames), 1) if frames else None,
        "frame_p95_ms": round(percentile(frames, 95), 1),
        "frame_max_ms": round(max(frames), 1) if frames else None,
    }


BASELINE = "bare React Flow (its default nodes and edges, fitView; harness/baseline.html)"


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median over repeated runs of each figure, and the worst first render and p95."""
    out = {k: runs[0].get(k) for k in ("workflow", "page", "nodes_in_dom", "nodes_on_layer")}
    for key in ("first_render_ms", "frame_p50_ms", "frame_p95_ms", "frame_max_ms"):
        out[key] = round(statistics.median(r[key] for r in runs), 1)
    shown = [r["run_shown_ms"] for r in runs if r.get("run_shown_ms") is not None]
    out["run_shown_ms"] = round(statistics.median(shown), 1) if shown else None
    out["worst_first_render_ms"] = max(r["first_render_ms"] for r in runs)
    out["worst_frame_p95_ms"] = max(r["frame_p95_ms"] for r in runs)
    out["runs"] = len(runs)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="100,500,1000,5000")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per workflow and page (medians are reported)"
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    sizes = [int(s) for s in args.sizes.split(",") if s]
    workflows = {f"bench_{n}": synthetic_workflow(n) for n in sizes}
    workflows["bench_1000_grouped"] = synthetic_workflow(1000, groups=20, collapsed=True)
    # (workflow, pages, expected nodes and edges on screen); bare React Flow knows no groups.
    plan = [(f"bench_{n}", ("canvas", "baseline"), (n, n - 1)) for n in sizes]
    plan.append(("bench_1000_grouped", ("canvas",), (20, 19)))
    pages = {"canvas": "index.html", "baseline": "baseline.html"}
    server = serve(workflows)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    results: list[dict[str, Any]] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for name, kinds, expected in plan:
                runs: dict[str, list[dict[str, Any]]] = {k: [] for k in kinds}
                # Alternate canvas and baseline so both see the same machine state.
                for _ in range(args.repeat):
                    for kind in kinds:
                        page = browser.new_page(viewport={"width": 1600, "height": 1000})
                        # Collapsed groups draw no node of their own to wear a run's state.
                        figures = measure(page, base, name, expected, pages[kind], "grouped" not in name)
                        runs[kind].append({**figures, "page": kind})
                        page.close()
                for kind in kinds:
                    results.append(summarise(runs[kind]))
                    print(json.dumps(results[-1]))
            browser.close()
    finally:
        server.shutdown()

    print(f"\nbaseline: {BASELINE}; medians of {args.repeat} runs (worst in brackets)")
    print(
        f"{'workflow':<20}{'page':<10}{'first render ms':>22}{'run shown ms':>14}"
        f"{'pan/zoom p95 ms':>22}{'p50 ms':>9}"
    )
    for r in results:
        shown = f"{r['run_shown_ms']:>14.0f}" if r.get("run_shown_ms") is not None else f"{'':>14}"
        print(
            f"{r['workflow']:<20}{r['page']:<10}{r['first_render_ms']:>12.0f} [{r['worst_first_render_ms']:>6.0f}]"
            f"{shown}{r['frame_p95_ms']:>14.1f} [{r['worst_frame_p95_ms']:>5.1f}]{r['frame_p50_ms']:>9.1f}"
        )
    by = {(r["workflow"], r["page"]): r for r in results}
    ratio: dict[int, float] = {}
    for n in sizes:
        ours, bare = by.get((f"bench_{n}", "canvas")), by.get((f"bench_{n}", "baseline"))
        if ours and bare:
            ratio[n] = ours["first_render_ms"] / bare["first_render_ms"]
            print(f"{n} nodes: first render {ratio[n]:.2f}x the baseline's")
    verdicts = []
    if 1000 in ratio:
        verdicts.append(("1000 nodes rendered within 1.2x of bare React Flow", ratio[1000] <= 1.2))
    if ("bench_500", "canvas") in by:
        r = by[("bench_500", "canvas")]
        verdicts.append(("pan/zoom at 500 nodes p95 frame <= 33 ms", r["frame_p95_ms"] <= 33.4))
    if ("bench_5000", "canvas") in by:
        r = by[("bench_5000", "canvas")]
        verdicts.append(("5000 nodes rendered within 3000 ms", r["first_render_ms"] <= 3000))
        verdicts.append(("pan/zoom at 5000 nodes p95 frame <= 50 ms", r["frame_p95_ms"] <= 50.1))
    load = " ".join(f"{x:.2f}" for x in __import__("os").getloadavg())
    print(f"load average at the end (1, 5, 15 min): {load}")
    for text, ok in verdicts:
        print(f"{'PASS' if ok else 'MISS'}: {text}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {"baseline": BASELINE, "results": results, "targets": dict(verdicts), "load": load}, indent=2
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
