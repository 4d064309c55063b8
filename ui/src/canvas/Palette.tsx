// The palette: one search box over the node types, the tools (GET /tools) and every operator class
// of the installed providers (GET /catalogue/operators, the same search the co-pilot uses), in three
// groups. Drag a row onto the canvas, or click it, or move to it with the arrow keys and press
// Enter: the node is added (an operator becomes an operator-backed tool node). Operators come a page
// at a time ("more"), so a long catalogue never renders all at once.
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import {
  matchesWords,
  moveActive,
  nodeTypeEntries,
  operatorEntries,
  searchOperators,
  toolEntries,
  type OperatorEntry,
  type PaletteEntry,
  type PaletteGroup,
  type ToolInfo,
} from "../editor/catalogue";
import { NodeIcon } from "./icons";

export type { PaletteEntry, ToolInfo };

export const DRAG_MIME = "application/x-airflow-canvas-node";

/** Operators shown per page; "more" adds another page. */
export const OPERATOR_PAGE = 25;
const GROUPS: PaletteGroup[] = ["Nodes", "Tools", "Operators"];

interface OperatorState {
  items: OperatorEntry[];
  total: number;
  error: string | null;
  answers: string | null; // the query these items answer
}

function useOperators(query: string): { items: OperatorEntry[]; total: number; error: string | null } {
  const [state, setState] = useState<OperatorState>({ items: [], total: 0, error: null, answers: null });
  const wanted = query.trim();
  useEffect(() => {
    const ctrl = new AbortController();
    // Typing settles before the server is asked; the catalogue is cached on the server.
    const timer = window.setTimeout(
      () => {
        searchOperators(wanted, 500, ctrl.signal)
          .then((page) =>
            setState({ items: page.items, total: page.items.length, error: null, answers: wanted }),
          )
          .catch((e: Error) => {
            if (e.name !== "AbortError") setState({ items: [], total: 0, error: e.message, answers: wanted });
          });
      },
      wanted ? 200 : 0,
    );
    return () => {
      window.clearTimeout(timer);
      ctrl.abort();
    };
  }, [wanted]);
  // While the server is asked, the rows shown are the previous answer narrowed to the new words,
  // never the whole previous list (rows that then jump under the pointer as the answer arrives).
  return useMemo(() => {
    if (state.answers === wanted) return state;
    const items = stillMatching(state.items, wanted);
    return { items, total: items.length, error: state.error };
  }, [state, wanted]);
}

export function stillMatching(items: OperatorEntry[], query: string): OperatorEntry[] {
  return items.filter((e) => matchesWords(query, `${e.name} ${e.operator} ${e.provider} ${e.summary}`));
}

export function Palette({ tools, onAdd }: { tools: ToolInfo[]; onAdd: (e: PaletteEntry) => void }) {
  const [query, setQuery] = useState("");
  const [shownOps, setShownOps] = useState(OPERATOR_PAGE);
  const [active, setActive] = useState(-1);
  const [folded, setFolded] = useState<Partial<Record<PaletteGroup, boolean>>>({});
  const ops = useOperators(query);
  const listRef = useRef<HTMLDivElement>(null);

  const groups = useMemo(() => {
    const all: Record<PaletteGroup, PaletteEntry[]> = {
      Nodes: nodeTypeEntries(query),
      Tools: toolEntries(tools, query),
      Operators: operatorEntries(ops.items),
    };
    return all;
  }, [query, tools, ops.items]);
  // The rows on screen, in order: what the arrow keys walk through.
  const rows = useMemo(
    () =>
      GROUPS.flatMap((g) => (folded[g] ? [] : g === "Operators" ? groups[g].slice(0, shownOps) : groups[g])),
    [groups, folded, shownOps],
  );

  useEffect(() => {
    listRef.current?.querySelector(".cv-palette-item.active")?.scrollIntoView({ block: "nearest" });
  }, [active]);

  const add = (e: PaletteEntry) => onAdd(e);
  const search = (text: string) => {
    setQuery(text);
    setActive(text ? 0 : -1);
    setShownOps(OPERATOR_PAGE);
  };
  const onKey = (ev: KeyboardEvent<HTMLInputElement>) => {
    // Home/End move the caret while there is text to edit; the arrows always walk the rows.
    const walk =
      ev.key === "ArrowDown" || ev.key === "ArrowUp" || (!query && (ev.key === "Home" || ev.key === "End"));
    if (walk) {
      ev.preventDefault();
      setActive((a) => moveActive(a, ev.key, rows.length));
    } else if (ev.key === "Enter" && rows[active]) {
      ev.preventDefault();
      add(rows[active]);
    } else if (ev.key === "Escape") {
      search("");
    }
  };

  const item = (e: PaletteEntry) => {
    const index = rows.indexOf(e);
    return (
      <div
        key={e.testId}
        id={`cv-pal-${e.testId}`}
        role="option"
        aria-selected={index === active}
        className={`cv-palette-item ${index === active ? "active" : ""}`}
        draggable
        data-testid={e.testId}
        title={`${e.label}${e.detail ? `\n${e.detail}` : ""}\nDrag onto the canvas (or click, or Enter) to add it`}
        onDragStart={(ev) => {
          ev.dataTransfer.setData(DRAG_MIME, JSON.stringify({ type: e.type, extra: e.extra ?? {} }));
          ev.dataTransfer.effectAllowed = "copy";
        }}
        onMouseEnter={() => index >= 0 && setActive(index)}
        onClick={() => add(e)}
      >
        <span className={`cv-node-icon t-${e.type}`} style={{ width: 20, height: 20, flex: "none" }}>
          <NodeIcon type={e.type} size={12} />
        </span>
        <span className="cv-palette-text">
          <span className="cv-palette-label">{e.label}</span>
          {e.detail && e.group !== "Nodes" && <span className="cv-palette-detail">{e.detail}</span>}
        </span>
      </div>
    );
  };

  const header = (g: PaletteGroup, count: number) => (
    <h4
      className="cv-palette-group"
      data-testid={`palette-group-${g}`}
      onClick={() => setFolded((f) => ({ ...f, [g]: !f[g] }))}
      title={folded[g] ? "Show" : "Hide"}
    >
      {folded[g] ? "▸" : "▾"} {g} <span className="cv-palette-count">{count}</span>
    </h4>
  );

  const nothing = rows.length === 0 && GROUPS.every((g) => groups[g].length === 0);
  return (
    <aside className="cv-palette" data-testid="palette">
      <input
        className="cv-input cv-palette-search"
        data-testid="palette-search"
        type="search"
        placeholder="Search nodes, tools, operators"
        aria-label="Search the palette"
        role="combobox"
        aria-expanded="true"
        aria-controls="cv-palette-list"
        aria-activedescendant={rows[active] ? `cv-pal-${rows[active].testId}` : undefined}
        value={query}
        onChange={(e) => search(e.target.value)}
        onKeyDown={onKey}
      />
      <div id="cv-palette-list" role="listbox" ref={listRef} aria-label="Palette">
        {GROUPS.map((g) =>
          groups[g].length === 0 ? null : (
            <div key={g} data-testid={`palette-section-${g}`}>
              {header(g, groups[g].length)}
              {!folded[g] && (g === "Operators" ? groups[g].slice(0, shownOps) : groups[g]).map(item)}
              {!folded[g] && g === "Operators" && groups[g].length > shownOps && (
                <button
                  type="button"
                  className="cv-btn cv-palette-more"
                  data-testid="palette-more"
                  onClick={() => setShownOps((n) => n + OPERATOR_PAGE)}
                >
                  {groups[g].length - shownOps} more
                </button>
              )}
            </div>
          ),
        )}
        {nothing && (
          <p className="cv-help" data-testid="palette-empty">
            Nothing matches “{query}”.
          </p>
        )}
        {ops.error && (
          <p className="cv-help" data-testid="palette-ops-error">
            Operators could not be read: {ops.error}
          </p>
        )}
      </div>
    </aside>
  );
}
