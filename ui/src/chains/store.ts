// The editor's chain state shared by the pieces that show it without prop plumbing: which dialog
// is asked for (from the toolbar, the context menu or the group panel), and each inserted group's
// update status (shown on the group's frame and in its panel). A tiny external store.
import { useSyncExternalStore } from "react";
import type { ChainSource, ChainStatus } from "./api";

export type ChainRequest =
  | { kind: "save-chain"; from: ChainSource | "selection" }
  | { kind: "insert-chain" }
  | { kind: "save-template" }
  | { kind: "update-chain"; groupId: string };

type Listener = () => void;
const listeners = new Set<Listener>();
let request: (ChainRequest & { nonce: number }) | null = null;
let statuses: Record<string, ChainStatus> = {};

function emit() {
  for (const l of listeners) l();
}
export function subscribe(l: Listener) {
  listeners.add(l);
  return () => {
    listeners.delete(l);
  };
}
export const currentChainRequest = () => request;
export const chainStatus = (groupId: string): ChainStatus | undefined => statuses[groupId];

/** Ask the editor's chain dialogs (ChainDialogs) to open one. */
export function requestChain(r: ChainRequest) {
  request = { ...r, nonce: Date.now() + Math.random() };
  emit();
}
export function clearChainRequest() {
  request = null;
  emit();
}
export function useChainRequest() {
  return useSyncExternalStore(subscribe, currentChainRequest);
}

export function setChainStatuses(items: ChainStatus[]) {
  statuses = Object.fromEntries(items.map((s) => [s.group_id, s]));
  emit();
}
/** The update status of an inserted group (undefined: not from the library, or not known yet). */
export function useChainStatus(groupId: string): ChainStatus | undefined {
  return useSyncExternalStore(subscribe, () => chainStatus(groupId));
}
