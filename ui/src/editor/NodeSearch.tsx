// Find a node on a big canvas: Ctrl+F or Ctrl+K (Cmd on a Mac) outside a text field opens a box
// over the canvas; typing filters nodes by id, name, type or tool (fuzzy), arrows move, Enter
// frames the node and opens its properties, Escape closes. Its keys are handled here, not in
// useEditorKeys: inside a text field Ctrl+F stays the browser's find.
import { useReactFlow } from "@xyflow/react";
import { useEffect, useMemo, useRef, useState } from "react";
import { boundsOf } from "../canvas/placement";
import type { Workflow } from "../spec/types";
import { searchNodes } from "./nodeSearch";
import { nodeSizes } from "./useReveal";

function inTextField(t: EventTarget | null): boolean {
  const el = t as HTMLElement | null;
  return Boolean(
    el &&
    (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable),
  );
}

/** Ctrl/Cmd + F or K, without Alt or Shift. */
export function isSearchKey(e: Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "altKey" | "shiftKey">) {
  const k = e.key.toLowerCase();
  return (e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && (k === "f" || k === "k");
}

export function NodeSearch({ wf, onPick }: { wf: Workflow; onPick: (id: string) => void }) {
  const rf = useReactFlow();
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement | null>(null);
  const matches = useMemo(() => (open ? searchNodes(wf.nodes, query, 30) : []), [open, wf.nodes, query]);

  useEffect(() => {
    // Capture phase: Airflow's own UI binds Ctrl+K (its search) on the document.
    const onKey = (e: KeyboardEvent) => {
      if (!isSearchKey(e) || inTextField(e.target)) return;
      e.preventDefault();
      e.stopPropagation();
      setOpen(true);
      setActive(0);
      // Already open (focus moved away): bring the cursor back to the box.
      input.current?.focus();
      input.current?.select();
    };
    window.addEventListener("keydown", onKey, true);
    return () => window.removeEventListener("keydown", onKey, true);
  }, []);

  if (!open) return null;

  const close = () => {
    setOpen(false);
    setQuery("");
  };
  const pick = (id: string) => {
    close();
    onPick(id);
    // Frame from the spec's position: a node outside the view was never drawn, so React Flow's
    // fitView (which uses measured nodes only) would not find it.
    const rect = boundsOf(wf, [id], nodeSizes(rf, wf));
    if (rect) {
      const zoom = Math.min(1.5, Math.max(rf.getZoom(), 1));
      void rf.setCenter(rect.x + rect.w / 2, rect.y + rect.h / 2, { zoom, duration: 250 });
    }
  };
  const index = Math.min(active, Math.max(0, matches.length - 1));

  return (
    <div className="cv-node-search" data-testid="node-search" role="dialog" aria-label="Find a node">
      <input
        ref={input}
        autoFocus
        className="cv-input"
        placeholder="Find a node: id, name, type or tool"
        data-testid="node-search-input"
        value={query}
        role="combobox"
        aria-expanded
        aria-controls="cv-node-search-list"
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onBlur={(e) => {
          // A click on a result moves the focus into the list first; anywhere else closes.
          if (!e.currentTarget.parentElement?.contains(e.relatedTarget as Node | null)) close();
        }}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown") setActive(Math.min(index + 1, matches.length - 1));
          else if (e.key === "ArrowUp") setActive(Math.max(index - 1, 0));
          else if (e.key === "Enter" && matches[index]) pick(matches[index].id);
          else if (e.key === "Escape") close();
          else return;
          e.preventDefault();
          e.stopPropagation();
        }}
      />
      <ul id="cv-node-search-list" role="listbox" className="cv-node-search-list">
        {matches.length === 0 && <li className="cv-help">No node matches “{query}”.</li>}
        {matches.map((m, i) => (
          <li
            key={m.id}
            role="option"
            tabIndex={-1}
            aria-selected={i === index}
            className={i === index ? "active" : ""}
            data-testid={`node-search-item-${m.id}`}
            onMouseEnter={() => setActive(i)}
            onClick={() => pick(m.id)}
          >
            <span className={`cv-node-icon t-${m.type}`} />
            <span className="cv-node-search-label">{m.label}</span>
            {m.label !== m.id && <code>{m.id}</code>}
            <span className="cv-help">{m.type}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
