// Actions the memoized node/edge components call. Passed through context (not node data) so that a
// node's data object only changes when that node changes, which keeps React.memo effective.
import { createContext, useContext } from "react";

export interface CanvasActions {
  readOnly: boolean;
  rename: (nodeId: string, name: string) => void;
  resize: (nodeId: string, size: { width: number; height: number }) => void;
  toggleGroup: (groupId: string) => void;
  renameGroup: (groupId: string, label: string) => void;
  openOutput: (nodeId: string) => void;
}

const noop = () => undefined;
export const CanvasActionsContext = createContext<CanvasActions>({
  readOnly: true,
  rename: noop,
  resize: noop,
  toggleGroup: noop,
  renameGroup: noop,
  openOutput: noop,
});

export const useCanvasActions = (): CanvasActions => useContext(CanvasActionsContext);
