// Copy/paste across workflows (and browser tabs): the payload goes to localStorage, and to the
// system clipboard as JSON when the browser allows it, so it can be pasted into another canvas.
import { isClipboardPayload, type ClipboardPayload } from "../state/ops";

const KEY = "airflow-canvas:clipboard";

export function writeClipboard(payload: ClipboardPayload): void {
  const text = JSON.stringify(payload);
  try {
    localStorage.setItem(KEY, text);
  } catch {
    /* storage full or disabled: the system clipboard may still work */
  }
  navigator.clipboard?.writeText(text).catch(() => undefined);
}

export function readClipboard(): ClipboardPayload | null {
  try {
    const value = JSON.parse(localStorage.getItem(KEY) ?? "null");
    return isClipboardPayload(value) ? value : null;
  } catch {
    return null;
  }
}

/** Parse text pasted from the system clipboard (another browser profile, a chat message...). */
export function parseClipboardText(text: string): ClipboardPayload | null {
  try {
    const value = JSON.parse(text);
    return isClipboardPayload(value) ? value : null;
  } catch {
    return null;
  }
}
