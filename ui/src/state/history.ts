// Undo/redo as a pure value: every edit of the workflow goes through `commit`, so every change is
// undoable. Edits that carry the same `coalesceKey` within COALESCE_MS (typing in one field, nudging
// one node) merge into one step, so Ctrl+Z undoes a word rather than a keystroke.

export const HISTORY_LIMIT = 200;
export const COALESCE_MS = 1000;

export interface History<T> {
  past: T[];
  present: T;
  future: T[];
  /** Key and time of the last commit, for coalescing. */
  lastKey: string | null;
  lastAt: number;
}

export function createHistory<T>(present: T): History<T> {
  return { past: [], present, future: [], lastKey: null, lastAt: 0 };
}

export function commit<T>(
  h: History<T>,
  next: T,
  coalesceKey: string | null = null,
  now = Date.now(),
): History<T> {
  if (Object.is(next, h.present)) return h;
  const merge = coalesceKey !== null && coalesceKey === h.lastKey && now - h.lastAt < COALESCE_MS;
  const past = merge ? h.past : [...h.past, h.present].slice(-HISTORY_LIMIT);
  return { past, present: next, future: [], lastKey: coalesceKey, lastAt: now };
}

export function undo<T>(h: History<T>): History<T> {
  if (h.past.length === 0) return h;
  const previous = h.past[h.past.length - 1];
  return {
    past: h.past.slice(0, -1),
    present: previous,
    future: [h.present, ...h.future],
    lastKey: null,
    lastAt: 0,
  };
}

export function redo<T>(h: History<T>): History<T> {
  if (h.future.length === 0) return h;
  const [next, ...rest] = h.future;
  return { past: [...h.past, h.present], present: next, future: rest, lastKey: null, lastAt: 0 };
}

/** Replace the present without an undo step (loading a version, the server's normalised copy). */
export function reset<T>(present: T): History<T> {
  return createHistory(present);
}

export const canUndo = <T>(h: History<T>): boolean => h.past.length > 0;
export const canRedo = <T>(h: History<T>): boolean => h.future.length > 0;
