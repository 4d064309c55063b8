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
  /** "?": show or hide the list of the canvas's shortcuts. */
  toggleShortcuts: () => void;
}

function inFormField(t: HTMLElement | null): boolean {
  return Boolean(
    t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable),
  );
}

/** Whether a key event means "save": Ctrl+S or Cmd+S (without Alt: Ctrl+Alt+S types "ś" on some
 * layouts). It is unambiguous in a form field too: no field has a use for it, and without this the
 * browser's own "Save page" took it and the save message typed next landed in the field. */
export function isSaveKey(e: Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "altKey">): boolean {
  return (e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === "s";
}

/** "?" (Shift+/ on most layouts, a key of its own on others) outside a form field. */
export function isHelpKey(e: Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "altKey">): boolean {
  return e.key === "?" && !e.ctrlKey && !e.metaKey && !e.altKey;
}

/** Delete/Backspace, Ctrl/Cmd + Z, Y, Shift+Z, C, V, G, D, S, "?" and Escape; `readOnly` blocks
 * saving. Only Ctrl/Cmd+S also works while typing in a field. */
export function useEditorKeys(actions: EditorKeyActions, readOnly: boolean): void {
  const {
    removeSelection,
    undo,
    redo,
    copy,
    paste,
    group,
    duplicateSelection,
    openSave,
    closeMenu,
    toggleShortcuts,
  } = actions;
  useEffect(() => {
    // Capture phase: Airflow's UI binds "?" to its own shortcut list (react-hotkeys-hook, on the
    // document); on the canvas "?" lists the canvas's shortcuts instead.
    const onHelp = (e: KeyboardEvent) => {
      if (!isHelpKey(e) || inFormField(e.target as HTMLElement | null)) return;
      e.preventDefault();
      e.stopPropagation();
      toggleShortcuts();
    };
    const onKey = (e: KeyboardEvent) => {
      if (isSaveKey(e)) {
        e.preventDefault(); // never the browser's "Save page", read-only or not
        if (!readOnly) openSave();
        return;
      }
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
      else if (e.key === "Escape") closeMenu();
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
    window.addEventListener("keydown", onHelp, true);
    window.addEventListener("keydown", onKey);
    window.addEventListener("paste", onPaste);
    return () => {
      window.removeEventListener("keydown", onHelp, true);
      window.removeEventListener("keydown", onKey);
      window.removeEventListener("paste", onPaste);
    };
  }, [
    removeSelection,
    undo,
    redo,
    copy,
    paste,
    group,
    duplicateSelection,
    openSave,
    closeMenu,
    toggleShortcuts,
    readOnly,
  ]);
}
