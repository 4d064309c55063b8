// The generated DAG file, read-only, recompiled (debounced) as the workflow changes.
import type { Problem } from "../spec/types";

export function CodePanel({
  source,
  problems,
  error,
}: {
  source: string | null;
  problems: Problem[];
  error: string | null;
}) {
  const errors = problems.filter((p) => p.severity !== "warning");
  return (
    <div data-testid="code-panel">
      {errors.length > 0 && (
        <div className="cv-alert">
          The workflow has {errors.length} error(s); showing the last code that compiled.
        </div>
      )}
      {error && !errors.length && <div className="cv-alert">{error}</div>}
      <pre className="cv-code" data-testid="code-source">
        {source ?? "Compiling…"}
      </pre>
    </div>
  );
}
