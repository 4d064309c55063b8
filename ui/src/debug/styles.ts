// The debugger's CSS, injected once: the host page loads only the bundle's JS.
import css from "./debug.css?inline";

const STYLE_ID = "airflow-canvas-debug-styles";

export function ensureDebugStyles(): void {
  if (typeof document === "undefined" || document.getElementById(STYLE_ID)) return;
  const style = document.createElement("style");
  style.id = STYLE_ID;
  style.textContent = css;
  document.head.appendChild(style);
}
