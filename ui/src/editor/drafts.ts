// Never lose work (issue 18): the server-side draft of the workflow being edited (autosaved shortly
// after the last edit, offered back on reopen in any tab or on any machine) and the guard on leaving
// with unsaved changes. The pure parts (debouncer, when to autosave, when to offer) are exported for
// the unit tests; the hooks wire them to the API and the browser.
import { useCallback, useEffect, useRef, useState } from "react";
import { api } from "../api/client";
import type { components } from "../api/schema";
import type { Workflow } from "../spec/types";

export type Draft = components["schemas"]["Draft"];
type DraftAnswer = components["schemas"]["DraftAnswer"];

/** Autosave this long after the last edit: a burst of edits (a drag, typing a name) is one write. */
export const AUTOSAVE_MS = 1500;

const enc = encodeURIComponent;
export const DraftApi = {
  get: (id: string) => api<DraftAnswer>(`/workflows/${enc(id)}/draft`).then((a) => a.draft),
  put: (id: string, spec: Workflow, baseVersion: number | undefined, branch: string | undefined) =>
    api<Draft>(`/workflows/${enc(id)}/draft`, {
      method: "PUT",
      body: { spec, base_version: baseVersion ?? null, branch: branch ?? "main" },
    }),
  discard: (id: string) => api(`/workflows/${enc(id)}/draft`, { method: "DELETE" }),
};

export interface Debouncer<T> {
  /** (Re)start the wait with the latest value; only the last value of a burst is delivered. */
  schedule: (value: T) => void;
  /** Deliver a pending value now (leaving the page); false when nothing was pending. */
  flush: () => boolean;
  cancel: () => void;
  pending: () => boolean;
}

export function debouncer<T>(ms: number, deliver: (value: T) => void): Debouncer<T> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let value: T | undefined;
  const fire = () => {
    timer = null;
    const v = value as T;
    value = undefined;
    deliver(v);
  };
  return {
    schedule: (v) => {
      value = v;
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(fire, ms);
    },
    flush: () => {
      if (timer === null) return false;
      clearTimeout(timer);
      fire();
      return true;
    },
    cancel: () => {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      value = undefined;
    },
    pending: () => timer !== null,
  };
}

export interface AutosaveState {
  canEdit: boolean;
  dirty: boolean;
  /** A version diff or a co-pilot preview is on the canvas instead of the draft. */
  showingOther: boolean;
  /** A stored draft is offered and not yet restored or discarded: writing now would replace it. */
  offerPending: boolean;
}

/** What the autosave does after a change: write the draft, delete a stale one, or nothing. */
export function autosaveAction(s: AutosaveState, serverHasDraft: boolean): "save" | "discard" | "none" {
  if (!s.canEdit || s.offerPending || s.showingOther) return "none";
  if (s.dirty) return "save";
  // Back to the saved state (undo, or saved elsewhere): the stored draft would offer nothing new.
  return serverHasDraft ? "discard" : "none";
}

/** Offer a stored draft on open only when it differs from what was loaded and from what is on the
 * canvas already (a branch switch that carried the unsaved edit along). */
export function shouldOffer(draft: Draft | null, loaded: Workflow | null, shown?: Workflow | null): boolean {
  if (!draft || !loaded) return false;
  const text = JSON.stringify(draft.spec);
  return text !== JSON.stringify(loaded) && (!shown || text !== JSON.stringify(shown));
}

/** "14:03" today, else "5 Dec, 14:03": when the draft was last written, in the user's time. */
export function draftTime(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return "an earlier session";
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return "an earlier session";
  const hm = t.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
  if (t.toDateString() === now.toDateString()) return hm;
  return `${t.toLocaleDateString(undefined, { day: "numeric", month: "short" })}, ${hm}`;
}

export interface DraftInput {
  workflowId: string;
  /** The edit on the canvas and what was loaded/saved (null while loading). */
  wf: Workflow | null;
  saved: Workflow | null;
  /** Bumped by each load (open, branch switch, reload after a merge): check for a draft again. */
  loadKey: number;
  dirty: boolean;
  canEdit: boolean;
  showingOther: boolean;
  headVersion: number | undefined;
  branch: string | undefined;
}

/** The draft offered on open (Restore / Discard) and the debounced autosave of the edit. */
export function useServerDraft(input: DraftInput) {
  const { workflowId, wf, saved, loadKey, dirty, canEdit, showingOther, headVersion, branch } = input;
  const [offer, setOffer] = useState<Draft | null>(null);
  const [checked, setChecked] = useState(false);
  const [lastSaved, setLastSaved] = useState<string | null>(null);
  const serverHasDraft = useRef(false);
  const ctx = useRef({ headVersion, branch, wf });
  ctx.current = { headVersion, branch, wf };

  const writer = useRef<Debouncer<Workflow | null> | null>(null);
  if (writer.current === null) {
    writer.current = debouncer<Workflow | null>(AUTOSAVE_MS, (spec) => {
      if (spec === null) {
        serverHasDraft.current = false;
        void DraftApi.discard(workflowId).catch(() => undefined);
        return;
      }
      serverHasDraft.current = true;
      DraftApi.put(workflowId, spec, ctx.current.headVersion, ctx.current.branch)
        .then((d) => setLastSaved(d.updated_at ?? null))
        .catch(() => undefined); // the next edit tries again; the leave guard still asks
    });
  }
  useEffect(
    () => () => {
      writer.current?.flush(); // leaving the editor (a confirmed "back"): write what is pending
    },
    [],
  );

  // On each load: is there a stored draft that differs from what was loaded?
  useEffect(() => {
    if (!canEdit || loadKey === 0 || saved === null) return;
    let live = true;
    setChecked(false);
    DraftApi.get(workflowId)
      .then((d) => {
        if (!live) return;
        serverHasDraft.current = d !== null;
        setOffer(shouldOffer(d, saved, ctx.current.wf) ? d : null);
      })
      .catch(() => undefined)
      .finally(() => live && setChecked(true));
    return () => {
      live = false;
    };
    // `saved` is read at load time only: a save must not re-offer.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [workflowId, loadKey, canEdit]);

  // Every change of the edit (re)starts the wait.
  useEffect(() => {
    if (!checked) return;
    const action = autosaveAction(
      { canEdit, dirty, showingOther, offerPending: offer !== null },
      serverHasDraft.current || (writer.current?.pending() ?? false),
    );
    if (action === "save") writer.current?.schedule(wf);
    else if (action === "discard") writer.current?.schedule(null);
  }, [wf, dirty, canEdit, showingOther, offer, checked]);

  const discard = useCallback(() => {
    setOffer(null);
    writer.current?.cancel();
    serverHasDraft.current = false;
    void DraftApi.discard(workflowId).catch(() => undefined);
  }, [workflowId]);

  return {
    /** The stored draft to offer, or null. */
    offer,
    /** When the current edit was last autosaved (ISO), for the toolbar's hint. */
    lastSaved,
    /** The user chose Restore: the caller puts `offer.spec` on the canvas; it is then autosaved. */
    restored: useCallback(() => setOffer(null), []),
    discard,
    /** Write a pending autosave now (before leaving). */
    flush: useCallback(() => writer.current?.flush() ?? false, []),
    /** A real save deleted the draft on the server. */
    saved: useCallback(() => {
      writer.current?.cancel();
      serverHasDraft.current = false;
    }, []),
  };
}

export const LEAVE_MESSAGE = "You have unsaved changes. Leave this workflow anyway?";

/** Ask before leaving with unsaved changes: the browser's own prompt on reload/close
 * (beforeunload), and a confirm on a click on any link of Airflow's UI around the canvas (its
 * navigation is a client-side router, so beforeunload never fires for it). Returns `confirmLeave`
 * for the editor's own "back" button. `onLeave` runs when the user leaves anyway. */
export function useLeaveGuard(dirty: boolean, onLeave: () => void): () => boolean {
  const state = useRef({ dirty, onLeave });
  state.current = { dirty, onLeave };

  useEffect(() => {
    const beforeUnload = (e: BeforeUnloadEvent) => {
      if (!state.current.dirty) return;
      state.current.onLeave();
      e.preventDefault();
      e.returnValue = ""; // older browsers need it set to show their prompt
    };
    // Capture phase on window: runs before the host's router handles the click.
    const onClick = (e: MouseEvent) => {
      if (!state.current.dirty || e.defaultPrevented || e.button !== 0) return;
      if (e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return; // opens a new tab: nothing is lost
      const link = (e.target as Element | null)?.closest?.("a[href]") as HTMLAnchorElement | null;
      if (!link || link.target === "_blank" || link.closest(".cv-root")) return;
      if (window.confirm(LEAVE_MESSAGE)) {
        state.current.onLeave();
        return;
      }
      e.preventDefault();
      e.stopPropagation();
    };
    window.addEventListener("beforeunload", beforeUnload);
    window.addEventListener("click", onClick, true);
    return () => {
      window.removeEventListener("beforeunload", beforeUnload);
      window.removeEventListener("click", onClick, true);
    };
  }, []);

  return useCallback(() => {
    if (!state.current.dirty) return true;
    if (!window.confirm(LEAVE_MESSAGE)) return false;
    state.current.onLeave();
    return true;
  }, []);
}
