// The chain library's CSS, injected once: the host page loads only the bundle's JS.
import css from "./chains.css?inline";

const STYLE_ID = "airflow-canvas-chain-styles";

export function ensureChainStyles(): void {
  if (typeof document === "undefined" || document.getElementById(STYLE_ID)) return;
  const style = document.createElement("style");
  style.id = STYLE_ID;
  style.textContent = css;
  document.head.appendChild(style);
}
