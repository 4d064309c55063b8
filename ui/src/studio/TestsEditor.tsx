// A tool's test cases: unit (input -> expected output, or assertions over `output`), integration
// (with fixtures, files or a connection) and performance (a time budget), each with its last result.
import { useEffect, useState } from "react";
import type { CaseResult, Diagnostic, Tool, ToolTest } from "./api";
import { diagnosticsAt, TEST_KINDS } from "./model";

const show = (v: unknown) => (v === undefined || v === null ? "" : JSON.stringify(v, null, 2));

/** A JSON text box bound to a value: invalid JSON stays local (with its error) until it parses. */
export function JsonBox({
  value,
  onChange,
  readOnly,
  emptyIsNull,
  testId,
  rows = 3,
}: {
  value: unknown;
  onChange: (v: unknown) => void;
  readOnly: boolean;
  emptyIsNull?: boolean;
  testId: string;
  rows?: number;
}) {
  const [text, setText] = useState(() => show(value));
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setText((cur) => {
      try {
        return JSON.stringify(cur.trim() ? JSON.parse(cur) : null) === JSON.stringify(value ?? null)
          ? cur
          : show(value);
      } catch {
        return cur;
      }
    });
  }, [value]);
  return (
    <>
      <textarea
        className={`cv-textarea ${error ? "invalid" : ""}`}
        style={{ fontFamily: "monospace", fontSize: 12 }}
        rows={rows}
        value={text}
        readOnly={readOnly}
        data-testid={testId}
        onChange={(e) => {
          setText(e.target.value);
          if (!e.target.value.trim()) {
            setError(null);
            onChange(emptyIsNull ? null : {});
            return;
          }
          try {
            onChange(JSON.parse(e.target.value));
            setError(null);
          } catch (err) {
            setError((err as Error).message);
          }
        }}
      />
      {error && <div className="cv-error">JSON: {error}</div>}
    </>
  );
}

function CaseResultView({ result }: { result: CaseResult }) {
  return (
    <div
      className={`cv-alert ${result.passed ? "ok" : ""}`}
      style={{ borderColor: result.passed ? "#2e7d32" : "#c62828", marginTop: 6 }}
      data-testid={`test-result-${result.index}`}
      data-passed={result.passed}
    >
      <b>{result.passed ? "Passed" : "Failed"}</b>{" "}
      <span className="cv-help">({result.duration_ms.toFixed(1)} ms)</span>
      {result.failures.map((f, i) => (
        <div key={i} className="cv-error">
          {f}
        </div>
      ))}
      {result.error && (
        <div className="cv-error">
          {result.error.type}: {result.error.message}
        </div>
      )}
      <div className="cv-help" style={{ marginTop: 4 }}>
        Actual: <code>{JSON.stringify(result.actual)}</code>
      </div>
    </div>
  );
}

function CaseEditor({
  test,
  index,
  language,
  onChange,
  onRemove,
  readOnly,
  result,
  diagnostics,
}: {
  test: ToolTest;
  index: number;
  language: Tool["language"];
  onChange: (t: ToolTest) => void;
  onRemove: () => void;
  readOnly: boolean;
  result?: CaseResult;
  diagnostics: Diagnostic[];
}) {
  const kind = test.kind ?? "unit";
  const set = (patch: Partial<ToolTest>) => onChange({ ...test, ...patch });
  const id = `test-${index}`;
  return (
    <div
      className="cv-card"
      style={{ border: "1px solid var(--cv-border, #ccc)", borderRadius: 6, padding: 8, marginBottom: 8 }}
      data-testid={id}
    >
      <div className="cv-row" style={{ gap: 8 }}>
        <input
          className="cv-input"
          style={{ flex: 1 }}
          placeholder={`Case ${index + 1}`}
          value={test.name ?? ""}
          readOnly={readOnly}
          aria-label="Case name"
          data-testid={`${id}-name`}
          onChange={(e) => set({ name: e.target.value })}
        />
        <select
          className="cv-input"
          style={{ width: 140, flex: "none" }}
          value={kind}
          disabled={readOnly}
          aria-label="Kind"
          data-testid={`${id}-kind`}
          onChange={(e) => {
            // Fields of the kind left behind would be refused (tools/languages.py): drop them.
            const next = e.target.value as NonNullable<ToolTest["kind"]>;
            set({
              kind: next,
              ...(next !== "performance" ? { time_budget_ms: null, required: false } : {}),
              ...(next !== "integration" ? { connection: null } : {}),
            });
          }}
        >
          {TEST_KINDS.map((k) => (
            <option key={k}>{k}</option>
          ))}
        </select>
        {!readOnly && (
          <button className="cv-btn small" data-testid={`${id}-remove`} onClick={onRemove}>
            Remove
          </button>
        )}
      </div>
      <div className="cv-row" style={{ gap: 8, alignItems: "flex-start", marginTop: 6 }}>
        <div style={{ flex: 1 }}>
          <div className="cv-help">Input</div>
          <JsonBox
            value={test.input ?? {}}
            readOnly={readOnly}
            testId={`${id}-input`}
            onChange={(v) => set({ input: v as ToolTest["input"] })}
          />
        </div>
        <div style={{ flex: 1 }}>
          <div className="cv-help">Expected output (empty: not compared)</div>
          <JsonBox
            value={test.expected}
            readOnly={readOnly}
            emptyIsNull
            testId={`${id}-expected`}
            onChange={(v) => set({ expected: v })}
          />
        </div>
      </div>
      <div className="cv-help" style={{ marginTop: 6 }}>
        Assertions over <code>output</code>, one per line (e.g. <code>output[&quot;length&quot;] &gt; 0</code>
        )
      </div>
      <textarea
        className="cv-textarea"
        style={{ fontFamily: "monospace", fontSize: 12 }}
        rows={2}
        value={(test.assertions ?? []).join("\n")}
        readOnly={readOnly}
        data-testid={`${id}-assertions`}
        onChange={(e) =>
          set({
            assertions: e.target.value.split("\n").filter((l, i, all) => l.trim() || i < all.length - 1),
          })
        }
      />
      {language === "sql" && (
        <>
          <div className="cv-help">Fixtures: setup statements (CREATE TABLE, INSERT …), one per line</div>
          <textarea
            className="cv-textarea"
            rows={2}
            value={(test.fixtures ?? []).join("\n")}
            readOnly={readOnly}
            data-testid={`${id}-fixtures`}
            onChange={(e) => set({ fixtures: e.target.value.split("\n") })}
          />
          {kind === "integration" && (
            <>
              <div className="cv-help">Connection (optional; the transaction is rolled back)</div>
              <input
                className="cv-input"
                value={test.connection ?? ""}
                readOnly={readOnly}
                data-testid={`${id}-connection`}
                onChange={(e) => set({ connection: e.target.value || null })}
              />
            </>
          )}
        </>
      )}
      {kind !== "unit" && language !== "sql" && (
        <>
          <div className="cv-help">Files written into the working directory (JSON: path → text)</div>
          <JsonBox
            value={test.files ?? {}}
            readOnly={readOnly}
            testId={`${id}-files`}
            rows={2}
            onChange={(v) => set({ files: v as ToolTest["files"] })}
          />
        </>
      )}
      {kind === "performance" && (
        <div className="cv-row" style={{ gap: 8, marginTop: 6 }}>
          <span className="cv-help">Time budget (ms)</span>
          <input
            className="cv-input"
            type="number"
            min={1}
            style={{ width: 100 }}
            value={test.time_budget_ms ?? ""}
            readOnly={readOnly}
            data-testid={`${id}-budget`}
            onChange={(e) => set({ time_budget_ms: e.target.value ? Number(e.target.value) : null })}
          />
          <label className="cv-help">
            <input
              type="checkbox"
              checked={test.required ?? false}
              disabled={readOnly}
              onChange={(e) => set({ required: e.target.checked })}
            />{" "}
            blocks publishing when it fails
          </label>
        </div>
      )}
      {diagnostics.map((d, i) => (
        <div key={i} className={d.severity === "error" ? "cv-error" : "cv-hint"}>
          {d.message}
        </div>
      ))}
      {result && <CaseResultView result={result} />}
    </div>
  );
}

export function TestsEditor({
  tool,
  onChange,
  readOnly,
  results,
  diagnostics,
}: {
  tool: Tool;
  onChange: (tests: ToolTest[]) => void;
  readOnly: boolean;
  results: CaseResult[] | null;
  diagnostics: Diagnostic[];
}) {
  const tests = tool.tests ?? [];
  return (
    <div data-testid="tests-editor">
      {tests.map((t, i) => (
        <CaseEditor
          key={i}
          test={t}
          index={i}
          language={tool.language}
          readOnly={readOnly}
          diagnostics={diagnosticsAt(diagnostics, `tests.${i}`)}
          result={results?.find((r) => r.index === i)}
          onChange={(next) => onChange(tests.map((x, j) => (j === i ? next : x)))}
          onRemove={() => onChange(tests.filter((_, j) => j !== i))}
        />
      ))}
      {tests.length === 0 && <div className="cv-help">No test cases: publishing needs at least one.</div>}
      {!readOnly && (
        <button
          className="cv-btn small"
          data-testid="add-test"
          onClick={() =>
            onChange([...tests, { name: "", kind: "unit", input: {}, expected: null, assertions: [] }])
          }
        >
          Add test case
        </button>
      )}
    </div>
  );
}
