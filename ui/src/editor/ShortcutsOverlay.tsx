// "?" on the canvas: the canvas's own keyboard shortcuts (Airflow's "?" lists only Airflow's).
import { Modal } from "../ui/Modal";

const MOD = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform) ? "⌘" : "Ctrl";

/** Shortcut, what it does. Kept next to useEditorKeys, which implements them. */
export const SHORTCUTS: [string, string][] = [
  [`${MOD}+S`, "Save a version (also while typing in a field)"],
  [`${MOD}+Z`, "Undo"],
  [`${MOD}+Y / ${MOD}+Shift+Z`, "Redo"],
  [`${MOD}+C / ${MOD}+V`, "Copy / paste the selection (also between workflows)"],
  [`${MOD}+D`, "Duplicate the selection"],
  [`${MOD}+G`, "Group the selection"],
  ["Delete / Backspace", "Remove the selection"],
  [`${MOD}+F / ${MOD}+K`, "Find a node by id, name or type (outside a text field)"],
  ["Shift+drag", "Select an area"],
  ["F10 / F8", "Debug mode: step one node / continue to the next breakpoint"],
  ["Escape", "Close a menu or dialog"],
  ["?", "Show or hide this list"],
];

export function ShortcutsOverlay({ onClose }: { onClose: () => void }) {
  return (
    <Modal title="Canvas keyboard shortcuts" onClose={onClose} testId="shortcuts-overlay">
      <table className="cv-shortcuts">
        <tbody>
          {SHORTCUTS.map(([keys, what]) => (
            <tr key={keys}>
              <td style={{ paddingRight: 16, whiteSpace: "nowrap" }}>
                <kbd>{keys}</kbd>
              </td>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="cv-actions">
        <button className="cv-btn" autoFocus onClick={onClose} data-testid="shortcuts-close">
          Close
        </button>
      </div>
    </Modal>
  );
}
