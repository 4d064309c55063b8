// The generated DAG file, read-only, recompiled (debounced) as the workflow changes. Highlighted
// with the co-pilot's tokenizer (spans, never HTML strings), wrapped or scrolled as the user likes,
// with a Copy button.
import { useMemo, useState } from "react";
import { tokenize } from "../copilot/highlight";
import { ensureCopilotStyles } from "../copilot/styles";
import type { Problem } from "../spec/types";

const WRAP_KEY = "airflow-canvas.code-wrap";

function storedWrap(): boolean {
  try {
    return localStorage.getItem(WRAP_KEY) !== "0";
  } catch {
    return true;
  }
}

/** The system clipboard when the page may use it, else the old select-and-copy (plain http). */
async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the textarea copy
  }
  const ta = document.createElement("textarea");
  ta.value = text;
  ta.style.position = "fixed";
  ta.style.opacity = "0";
  document.body.appendChild(ta);
  ta.select();
  const ok = document.execCommand("copy");
  ta.remove();
  return ok;
}

export function CodePanel({
  source,
  problems,
  error,
}: {
  source: string | null;
  problems: Problem[];
  error: string | null;
}) {
  ensureCopilotStyles(); // the token colours (.cv-tok-*) live in the co-pilot's stylesheet
  const errors = problems.filter((p) => p.severity !== "warning");
  const [wrap, setWrap] = useState(storedWrap);
  const [copied, setCopied] = useState<"" | "ok" | "failed">("");
  const tokens = useMemo(() => (source == null ? null : tokenize(source, "python")), [source]);
  const toggleWrap = () => {
    setWrap(!wrap);
    try {
      localStorage.setItem(WRAP_KEY, wrap ? "0" : "1");
    } catch {
      // private mode: the choice lasts for this page only
    }
  };
  const copy = async () => {
    if (source == null) return;
    const ok = await copyText(source).catch(() => false);
    setCopied(ok ? "ok" : "failed");
    setTimeout(() => setCopied(""), 1500);
  };
  return (
    <div data-testid="code-panel">
      {errors.length > 0 && (
        <div className="cv-alert">
          The workflow has {errors.length} error(s); showing the last code that compiled.
        </div>
      )}
      {error && !errors.length && <div className="cv-alert">{error}</div>}
      <div className="cv-row cv-code-bar">
        <label className="cv-help" title="Wrap long lines instead of scrolling sideways">
          <input type="checkbox" data-testid="code-wrap" checked={wrap} onChange={toggleWrap} /> Wrap lines
        </label>
        <button
          className="cv-btn small"
          data-testid="code-copy"
          disabled={source == null}
          onClick={() => void copy()}
        >
          {copied === "ok" ? "Copied" : copied === "failed" ? "Copy failed" : "Copy"}
        </button>
      </div>
      <pre className={`cv-code ${wrap ? "wrap" : ""}`} data-testid="code-source" data-wrap={wrap}>
        <code data-language="python">
          {tokens == null
            ? "Compiling…"
            : tokens.map((t, i) =>
                t.kind === "plain" ? (
                  t.text
                ) : (
                  <span key={i} className={`cv-tok-${t.kind}`}>
                    {t.text}
                  </span>
                ),
              )}
        </code>
      </pre>
    </div>
  );
}
