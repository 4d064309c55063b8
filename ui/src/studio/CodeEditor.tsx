// A CodeMirror 6 editor: highlighting for Python and JSON, line numbers, undo, and the server's
// diagnostics (POST /tools/check) drawn inline as lint marks. The view is created once; value,
// language, read-only and diagnostics changes are applied to it (no re-mount while typing).
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { json } from "@codemirror/lang-json";
import { python } from "@codemirror/lang-python";
import {
  bracketMatching,
  defaultHighlightStyle,
  indentOnInput,
  syntaxHighlighting,
} from "@codemirror/language";
import { lintGutter, setDiagnostics, type Diagnostic as CmDiagnostic } from "@codemirror/lint";
import { Compartment, EditorState } from "@codemirror/state";
import { EditorView, highlightActiveLine, keymap, lineNumbers } from "@codemirror/view";
import { useEffect, useRef } from "react";
import type { Diagnostic } from "./api";
import { offsetsOf } from "./model";

export type CodeLanguage = "python" | "json" | "text";

const languageOf = (l: CodeLanguage) => (l === "python" ? python() : l === "json" ? json() : []);

export function CodeEditor({
  value,
  onChange,
  language,
  readOnly = false,
  diagnostics = [],
  minHeight = 160,
  testId,
}: {
  value: string;
  onChange?: (value: string) => void;
  language: CodeLanguage;
  readOnly?: boolean;
  diagnostics?: Diagnostic[];
  minHeight?: number;
  testId?: string;
}) {
  const host = useRef<HTMLDivElement | null>(null);
  const view = useRef<EditorView | null>(null);
  const onChangeRef = useRef(onChange);
  const lang = useRef(new Compartment());
  const ro = useRef(new Compartment());

  useEffect(() => {
    onChangeRef.current = onChange;
  }, [onChange]);

  useEffect(() => {
    if (!host.current) return;
    const v = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: value,
        extensions: [
          lineNumbers(),
          highlightActiveLine(),
          history(),
          indentOnInput(),
          bracketMatching(),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
          lintGutter(),
          lang.current.of(languageOf(language)),
          ro.current.of([EditorState.readOnly.of(readOnly), EditorView.editable.of(!readOnly)]),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) onChangeRef.current?.(u.state.doc.toString());
          }),
          EditorView.theme({
            "&": { minHeight: `${minHeight}px` },
            ".cm-scroller": { minHeight: `${minHeight}px` },
          }),
        ],
      }),
    });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
    // Created once: later prop changes are dispatched by the effects below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value) {
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
    }
  }, [value]);

  useEffect(() => {
    view.current?.dispatch({ effects: lang.current.reconfigure(languageOf(language)) });
  }, [language]);

  useEffect(() => {
    view.current?.dispatch({
      effects: ro.current.reconfigure([EditorState.readOnly.of(readOnly), EditorView.editable.of(!readOnly)]),
    });
  }, [readOnly]);

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const doc = v.state.doc.toString();
    const marks: CmDiagnostic[] = diagnostics.map((d) => ({
      ...offsetsOf(doc, d),
      severity: d.severity,
      message: d.message,
    }));
    v.dispatch(setDiagnostics(v.state, marks));
  }, [diagnostics]);

  return (
    <div
      ref={host}
      className="cv-code-editor"
      data-testid={testId}
      data-diagnostics={diagnostics.length}
      style={{ border: "1px solid var(--cv-border, #ccc)", borderRadius: 4, fontSize: 13 }}
    />
  );
}
