// The editor's keyboard shortcuts and the system clipboard's paste event. Keys typed into a form
// field belong to the field, not to the canvas.
import { useEffect } from "react";
import type { ClipboardPayload } from "../state/ops";
import { parseClipboardText, readClipboard } from "./clipboard";

export interface EditorKeyActions {
  removeSelection: () => void;
  undo: () => void;
  redo: () => void;
  copy: () => void;
  paste: (payload: ClipboardPayload) => void;
  group: () => void;
  duplicateSelection: () => void;
  openSave: () => void;
  closeMenu: () => void;
}

function inFormField(t: HTMLElement | null): boolean {
  return Boolean(
    t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable),
  );
}

/** Delete/Backspace, Ctrl/Cmd + Z, Y, Shift+Z, C, V, G, D, S, and Escape; `readOnly` blocks saving. */
export function useEditorKeys(actions: EditorKeyActions, readOnly: boolean): void {
  const { removeSelection, undo, redo, copy, paste, group, duplicateSelection, openSave, closeMenu } =
    actions;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (inFormField(e.target as HTMLElement | null)) return;
      const mod = e.ctrlKey || e.metaKey;
      const k = e.key.toLowerCase();
      if (e.key === "Delete" || e.key === "Backspace") removeSelection();
      else if (mod && k === "z" && !e.shiftKey) undo();
      else if (mod && (k === "y" || (k === "z" && e.shiftKey))) redo();
      else if (mod && k === "c") copy();
      else if (mod && k === "v") {
        // Nothing copied in this browser: let the paste event read the system clipboard instead.
        const payload = readClipboard();
        if (!payload) return;
        paste(payload);
      } else if (mod && k === "g") group();
      else if (mod && k === "d") duplicateSelection();
      else if (mod && k === "s") {
        if (!readOnly) openSave();
      } else if (e.key === "Escape") closeMenu();
      else return;
      e.preventDefault();
    };
    const onPaste = (e: ClipboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA")) return;
      const payload = parseClipboardText(e.clipboardData?.getData("text/plain") ?? "");
      if (payload) {
        e.preventDefault();
        paste(payload);
      }
    };
    window.addEventListener("keydown", onKey);
    window.addEventListener("paste", onPaste);
    return () => {
      window.removeEventListener("keydown", onKey);
      window.removeEventListener("paste", onPaste);
    };
  }, [removeSelection, undo, redo, copy, paste, group, duplicateSelection, openSave, closeMenu, readOnly]);
}
