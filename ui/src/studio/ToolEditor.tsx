// One tool version in the studio: code (CodeMirror, with the server's static check drawn inline),
// description, language, dependencies, the input and output schemas, the test cases; save a draft,
// run the tests (results per case) and publish. A published version is read-only: "New version"
// starts a draft from it. Without Canvas Tools "edit" everything is read-only and no check runs.
import { useEffect, useMemo, useRef, useState } from "react";
import { ApiError } from "../api/client";
import { CodeEditor } from "./CodeEditor";
import { PublishDialog } from "./PublishDialog";
import { SchemaEditor } from "./SchemaEditor";
import { JsonBox, TestsEditor } from "./TestsEditor";
import { StudioApi, type CaseResult, type Diagnostic, type TestRun, type Tool } from "./api";
import { codeLanguage, diagnosticsAt, LANGUAGES, STARTER_CODE } from "./model";

export interface EditorTarget {
  tool: Tool;
  /** A new tool not saved yet: its name may still change. */
  isNew: boolean;
  /** Published (or built-in) versions cannot be edited. */
  published: boolean;
}

const CHECK_DELAY_MS = 400;

function useCheck(tool: Tool, enabled: boolean): Diagnostic[] {
  const [diagnostics, setDiagnostics] = useState<Diagnostic[]>([]);
  useEffect(() => {
    if (!enabled) {
      setDiagnostics([]);
      return;
    }
    const ctrl = new AbortController();
    const t = setTimeout(() => {
      StudioApi.check(tool, ctrl.signal)
        .then((c) => setDiagnostics(c.diagnostics))
        .catch(() => undefined); // a check that fails to arrive leaves the last marks
    }, CHECK_DELAY_MS);
    return () => {
      clearTimeout(t);
      ctrl.abort();
    };
  }, [tool, enabled]);
  return diagnostics;
}

export function ToolEditor({
  target,
  canEdit,
  onSaved,
  onNewVersion,
}: {
  target: EditorTarget;
  canEdit: boolean;
  onSaved: (name: string, version: string, published: boolean) => void;
  onNewVersion: () => void;
}) {
  const [tool, setTool] = useState<Tool>(target.tool);
  const [dirty, setDirty] = useState(false);
  const [busy, setBusy] = useState<null | "save" | "test">(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [run, setRun] = useState<TestRun | null>(null);
  const [publishing, setPublishing] = useState(false);
  const editable = canEdit && !target.published;
  const diagnostics = useCheck(tool, editable);
  const codeDiagnostics = useMemo(
    () => diagnostics.filter((d) => d.where === "code" && d.line != null),
    [diagnostics],
  );
  const loaded = useRef(target.tool);

  useEffect(() => {
    if (loaded.current !== target.tool) {
      loaded.current = target.tool;
      setTool(target.tool);
      setDirty(false);
      setRun(null);
      setMessage(null);
    }
  }, [target.tool]);

  const change = (patch: Partial<Tool>) => {
    setTool((t) => ({ ...t, ...patch }));
    setDirty(true);
  };

  const save = async (): Promise<boolean> => {
    setBusy("save");
    try {
      await StudioApi.save(tool);
      setDirty(false);
      setMessage({ ok: true, text: `Draft ${tool.name}@${tool.version} saved.` });
      onSaved(tool.name, tool.version, false);
      return true;
    } catch (e) {
      setMessage({ ok: false, text: (e as ApiError).detail ?? (e as Error).message });
      return false;
    } finally {
      setBusy(null);
    }
  };

  const runTests = async () => {
    if (editable && !(await save())) return;
    setBusy("test");
    setRun(null);
    try {
      const r = await StudioApi.test(tool.name, tool.version);
      setRun(r);
      const cases = r.tests ?? [];
      setMessage(
        r.passed
          ? { ok: true, text: `All ${cases.length} test case(s) passed.` }
          : {
              ok: false,
              text: r.error
                ? `The tests could not run: ${r.error.message}`
                : `${cases.filter((c) => !c.passed).length} of ${cases.length} test case(s) failed.`,
            },
      );
    } catch (e) {
      setMessage({ ok: false, text: (e as ApiError).detail ?? (e as Error).message });
    } finally {
      setBusy(null);
    }
  };

  const otherProblems = diagnostics.filter(
    (d) =>
      !(d.where === "code" && d.line != null) &&
      !d.where.startsWith("input_schema") &&
      !d.where.startsWith("output_schema") &&
      !d.where.startsWith("tests."),
  );
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const language = tool.language ?? "python";
  const results: CaseResult[] | null = run?.tests ?? null;

  return (
    <div
      data-testid="tool-editor"
      data-tool={`${tool.name}@${tool.version}`}
      style={{ display: "flex", flexDirection: "column", gap: 10 }}
    >
      <div className="cv-row" style={{ gap: 8, flexWrap: "wrap" }}>
        <h3 style={{ margin: 0 }}>
          {tool.name || "New tool"}@{tool.version}
        </h3>
        <span
          className={`cv-badge ${target.published ? "state-success" : "state-queued"}`}
          data-testid="editor-status"
        >
          {target.published ? "published" : target.isNew ? "new" : "draft"}
        </span>
        {dirty && <span className="cv-help">unsaved changes</span>}
        <span style={{ flex: 1 }} />
        {editable && (
          <>
            <span
              className={errors ? "cv-error" : "cv-help"}
              data-testid="check-summary"
              data-errors={errors}
            >
              {errors ? `${errors} error(s)` : "No errors"}
            </span>
            <button
              className="cv-btn"
              data-testid="tool-save"
              disabled={busy !== null || !tool.name}
              onClick={() => void save()}
            >
              Save draft
            </button>
          </>
        )}
        {canEdit && (
          <button
            className="cv-btn"
            data-testid="tool-run-tests"
            disabled={busy !== null || !tool.name}
            onClick={() => void runTests()}
          >
            {busy === "test" ? "Running…" : "Run tests"}
          </button>
        )}
        {editable && (
          <button
            className="cv-btn primary"
            data-testid="tool-publish"
            disabled={busy !== null || !tool.name}
            onClick={() => setPublishing(true)}
          >
            Publish…
          </button>
        )}
        {canEdit && target.published && (
          <button className="cv-btn primary" data-testid="tool-new-version" onClick={onNewVersion}>
            New version
          </button>
        )}
      </div>
      {message && (
        <div
          className="cv-alert"
          data-testid="tool-message"
          data-ok={message.ok}
          style={message.ok ? { borderColor: "#2e7d32", color: "#2e7d32" } : undefined}
        >
          {message.text}
        </div>
      )}
      {target.published && tool.changelog && (
        <div className="cv-help" data-testid="tool-changelog">
          Changelog: {tool.changelog}
        </div>
      )}
      <div className="cv-row" style={{ gap: 8, flexWrap: "wrap", alignItems: "flex-end" }}>
        {target.isNew && (
          <div className="cv-field" style={{ width: 200 }}>
            <label>Name</label>
            <input
              className="cv-input"
              value={tool.name}
              placeholder="lower_snake_case"
              data-testid="tool-name"
              onChange={(e) => change({ name: e.target.value.trim() })}
            />
          </div>
        )}
        {editable && (
          <div className="cv-field" style={{ width: 110 }}>
            <label>Version</label>
            <input
              className="cv-input"
              value={tool.version}
              data-testid="tool-version"
              onChange={(e) => change({ version: e.target.value.trim() })}
            />
          </div>
        )}
        <div className="cv-field" style={{ width: 120 }}>
          <label>Language</label>
          <select
            className="cv-input"
            value={language}
            disabled={!editable}
            data-testid="tool-language"
            onChange={(e) => {
              const next = e.target.value as (typeof LANGUAGES)[number];
              const starter = !tool.code || Object.values(STARTER_CODE).includes(tool.code);
              change({ language: next, ...(starter ? { code: STARTER_CODE[next] } : {}) });
            }}
          >
            {LANGUAGES.map((l) => (
              <option key={l}>{l}</option>
            ))}
          </select>
        </div>
        {language === "python" && (
          <div className="cv-field" style={{ width: 140 }}>
            <label>Entry point</label>
            <input
              className="cv-input"
              value={tool.entry_point ?? "run"}
              readOnly={!editable}
              data-testid="tool-entry-point"
              onChange={(e) => change({ entry_point: e.target.value.trim() })}
            />
          </div>
        )}
        {language === "sql" && (
          <div className="cv-field" style={{ width: 160 }}>
            <label>Connection type</label>
            <input
              className="cv-input"
              value={tool.connection_type ?? ""}
              placeholder="postgres, sqlite…"
              readOnly={!editable}
              data-testid="tool-connection-type"
              onChange={(e) => change({ connection_type: e.target.value.trim() || null })}
            />
          </div>
        )}
        <div className="cv-field" style={{ flex: 1, minWidth: 200 }}>
          <label>Description</label>
          <input
            className="cv-input"
            value={tool.description ?? ""}
            readOnly={!editable}
            data-testid="tool-description-input"
            onChange={(e) => change({ description: e.target.value })}
          />
        </div>
      </div>
      <div className="cv-field">
        <label>Code</label>
        <CodeEditor
          value={tool.code ?? ""}
          language={codeLanguage(language)}
          readOnly={!editable}
          diagnostics={codeDiagnostics}
          minHeight={180}
          testId="tool-code"
          onChange={(code) => change({ code })}
        />
        {codeDiagnostics.map((d, i) => (
          <div key={i} className={d.severity === "error" ? "cv-error" : "cv-hint"} data-testid="code-problem">
            Line {d.line}: {d.message}
          </div>
        ))}
        {otherProblems.map((d, i) => (
          <div key={i} className={d.severity === "error" ? "cv-error" : "cv-hint"} data-testid="tool-problem">
            {d.message}
          </div>
        ))}
      </div>
      <div className="cv-row" style={{ gap: 12, flexWrap: "wrap" }}>
        <div className="cv-field" style={{ flex: 1, minWidth: 220 }}>
          <label>Dependencies (pinned requirements, one per line)</label>
          <textarea
            className="cv-textarea"
            rows={2}
            value={(tool.dependencies ?? []).join("\n")}
            readOnly={!editable}
            data-testid="tool-dependencies"
            onChange={(e) =>
              change({
                dependencies: e.target.value
                  .split("\n")
                  .filter((l, i, all) => l.trim() || i < all.length - 1),
              })
            }
          />
        </div>
        <div className="cv-field" style={{ flex: 1, minWidth: 220 }}>
          <label>
            Parameter defaults (JSON: argument → value; a node&apos;s parameters and inputs override them)
          </label>
          <JsonBox
            value={tool.parameters ?? {}}
            readOnly={!editable}
            rows={2}
            testId="tool-parameters"
            onChange={(v) => change({ parameters: (v ?? {}) as Tool["parameters"] })}
          />
        </div>
        <label className="cv-help" style={{ alignSelf: "center" }}>
          <input
            type="checkbox"
            checked={tool.network ?? false}
            disabled={!editable}
            onChange={(e) => change({ network: e.target.checked })}
          />{" "}
          needs the network
        </label>
      </div>
      <div className="cv-row" style={{ gap: 12, alignItems: "flex-start", flexWrap: "wrap" }}>
        <div style={{ flex: 1, minWidth: 320 }}>
          <SchemaEditor
            label="Input schema"
            schema={(tool.input_schema ?? {}) as Record<string, unknown>}
            readOnly={!editable}
            diagnostics={diagnosticsAt(diagnostics, "input_schema")}
            testId="input-schema"
            onChange={(s) => change({ input_schema: s })}
          />
        </div>
        <div style={{ flex: 1, minWidth: 320 }}>
          <SchemaEditor
            label="Output schema"
            schema={(tool.output_schema ?? {}) as Record<string, unknown>}
            readOnly={!editable}
            diagnostics={diagnosticsAt(diagnostics, "output_schema")}
            testId="output-schema"
            onChange={(s) => change({ output_schema: s })}
          />
        </div>
      </div>
      <div className="cv-field">
        <label>Tests</label>
        <TestsEditor
          tool={tool}
          readOnly={!editable}
          results={results}
          diagnostics={diagnostics}
          onChange={(tests) => change({ tests })}
        />
        {run && (run.stderr || run.error?.traceback) && (
          <pre
            className="cv-help"
            data-testid="test-stderr"
            style={{ whiteSpace: "pre-wrap", maxHeight: 160, overflow: "auto" }}
          >
            {run.error?.traceback || run.stderr}
          </pre>
        )}
      </div>
      {publishing && (
        <PublishDialog
          tool={tool}
          onClose={() => setPublishing(false)}
          onPublished={(version) => {
            setPublishing(false);
            setDirty(false);
            onSaved(tool.name, version, true);
          }}
        />
      )}
    </div>
  );
}
