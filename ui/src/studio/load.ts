// Loads the tool studio on demand. In the built plugin it is a separate file beside the main bundle
// (static/studio.js, with CodeMirror in it), added as a script the first time the studio opens; under
// the dev server (`npm run dev`) the module is imported directly.
import type { ComponentType } from "react";
import type ToolStudioType from "./ToolStudio";

type StudioModule = { default: typeof ToolStudioType };
const STATIC_STUDIO = "/airflow-canvas/static/studio.js";
// Read while the main bundle runs (later, document.currentScript is another script or null). Airflow
// loads the bundle with import(), where it is null: then the plugin's static route.
const bundleSrc =
  typeof document !== "undefined" ? (document.currentScript as HTMLScriptElement | null)?.src : undefined;

function fromScript(): Promise<StudioModule> {
  const g = globalThis as Record<string, unknown>;
  return new Promise((resolve, reject) => {
    const ready = () => resolve({ default: g.CanvasToolStudio as typeof ToolStudioType });
    if (g.CanvasToolStudio) return ready();
    const script = document.createElement("script");
    script.src = new URL(bundleSrc ? "studio.js" : STATIC_STUDIO, bundleSrc ?? document.baseURI).href;
    script.onload = () =>
      g.CanvasToolStudio ? ready() : reject(new Error("studio.js did not load the studio"));
    script.onerror = () => reject(new Error(`Could not load ${script.src}`));
    document.head.appendChild(script);
  });
}

export function loadStudio(): Promise<{ default: ComponentType<Parameters<typeof ToolStudioType>[0]> }> {
  // The dev branch is dropped from the build, so the studio is not inlined into main.js.
  return import.meta.env.DEV ? import("./ToolStudio") : fromScript();
}
