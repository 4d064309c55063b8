// The co-pilot's CSS, injected once: the host page loads only the bundle's JS.
import css from "./copilot.css?inline";

const STYLE_ID = "airflow-canvas-copilot-styles";

export function ensureCopilotStyles(): void {
  if (typeof document === "undefined" || document.getElementById(STYLE_ID)) return;
  const style = document.createElement("style");
  style.id = STYLE_ID;
  style.textContent = css;
  document.head.appendChild(style);
}
