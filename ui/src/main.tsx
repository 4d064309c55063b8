// Bundle entry: the UMD build's default export becomes globalThis.AirflowPlugin, the component
// Airflow's UI renders for our react_apps entries. Styles are injected here because the host only
// loads this one JS file.
import flowCss from "@xyflow/react/dist/style.css?inline";
import CanvasPlugin from "./App";
import CopilotPage from "./copilot/CopilotPage";
import { setElkWorkerUrl } from "./canvas/layout";
import canvasCss from "./styles.css?inline";

const STYLE_ID = "airflow-canvas-styles";
const STATIC_WORKER = "/airflow-canvas/static/elk-worker.min.js";

if (typeof document !== "undefined") {
  // The worker file sits next to this bundle. Airflow loads the bundle with import(), where
  // document.currentScript is null, so fall back to the plugin's static route.
  const src = (document.currentScript as HTMLScriptElement | null)?.src;
  setElkWorkerUrl(new URL(src ? "elk-worker.min.js" : STATIC_WORKER, src ?? document.baseURI).href);
  if (!document.getElementById(STYLE_ID)) {
    const style = document.createElement("style");
    style.id = STYLE_ID;
    style.textContent = `${flowCss}\n${canvasCss}`;
    document.head.appendChild(style);
  }
}

// Airflow's UI looks up globalThis[<react_apps name>] first, then globalThis.AirflowPlugin (the
// default export). One bundle serves both nav entries and the DAG tab.
const g = globalThis as Record<string, unknown>;
g["Co-pilot"] = CopilotPage;
g.Canvas = CanvasPlugin;

export default CanvasPlugin;
