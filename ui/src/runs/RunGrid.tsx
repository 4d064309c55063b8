// The workflow's run history as Airflow's grid (runs as columns, oldest left; nodes as rows), beside
// the graph: pick a run (its column) and the canvas shows that run's states, durations and data.
import { useState } from "react";
import type { SpecNode } from "../spec/types";
import { formatDuration } from "../state/status";
import type { RunHistory } from "./api";
import { formatCost } from "./runData";
import { stateColour } from "./RunStrip";

// Rows drawn before "show all": a 5000-node workflow's grid was 25,000 cells, and picking a run
// restyled every one of them (seconds of style recalculation before the canvas showed the run).
export const GRID_ROWS = 200;

export function RunGrid({
  history,
  nodes,
  selected,
  onPick,
}: {
  history: RunHistory | null;
  nodes: SpecNode[];
  selected: string | null;
  onPick: (runId: string) => void;
}) {
  const [all, setAll] = useState(false);
  if (!history || !history.runs.length) return null;
  const runs = [...history.runs].reverse();
  const longest = Math.max(...runs.map((r) => r.duration ?? 0), 0.001);
  const withRuns = nodes.filter((n) => history.nodes[n.id]);
  const shown = all ? withRuns : withRuns.slice(0, GRID_ROWS);
  return (
    <div className="cv-section" data-testid="run-grid" style={{ overflowX: "auto" }}>
      <h3>Run history</h3>
      <table style={{ borderCollapse: "separate", borderSpacing: 2, fontSize: 11 }}>
        <thead>
          <tr>
            <th />
            {runs.map((r) => (
              <th key={r.run_id} style={{ verticalAlign: "bottom", padding: 0 }}>
                <button
                  className="cv-link"
                  data-testid={`run-grid-run-${r.run_id}`}
                  data-selected={r.run_id === selected ? "true" : "false"}
                  title={`${r.run_id}: ${r.state}${r.duration != null ? `, ${formatDuration(r.duration)}` : ""}${
                    r.cost ? `, ${formatCost(r.cost)}` : ""
                  }`}
                  onClick={() => onPick(r.run_id)}
                  style={{
                    display: "block",
                    width: 12,
                    height: Math.max(4, Math.round(36 * ((r.duration ?? 0) / longest))),
                    background: stateColour(r.state),
                    boxShadow: r.run_id === selected ? "0 4px 0 -1px #333" : "none",
                    border: "none",
                    padding: 0,
                  }}
                />
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {shown.map((n) => (
            <tr key={n.id}>
              <td style={{ whiteSpace: "nowrap", paddingRight: 6 }}>{n.name || n.id}</td>
              {runs.map((r) => {
                const cell = history.nodes[n.id]?.[r.run_id];
                return (
                  <td key={r.run_id} style={{ padding: 0 }}>
                    <span
                      data-testid={`run-grid-cell-${n.id}-${r.run_id}`}
                      data-state={cell?.state ?? "none"}
                      title={
                        cell
                          ? `${n.id} in ${r.run_id}: ${cell.state}, ${formatDuration(cell.duration)}, ${cell.tries} tr${
                              cell.tries === 1 ? "y" : "ies"
                            }`
                          : `${n.id} did not run in ${r.run_id}`
                      }
                      onClick={() => onPick(r.run_id)}
                      style={{
                        display: "block",
                        width: 12,
                        height: 12,
                        cursor: "pointer",
                        background: cell ? stateColour(cell.state) : "transparent",
                        border: cell ? "none" : "1px dashed #ccc",
                        opacity: selected && r.run_id !== selected ? 0.55 : 1,
                      }}
                    />
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {shown.length < withRuns.length && (
        <button className="cv-link" data-testid="run-grid-all" onClick={() => setAll(true)}>
          Show all {withRuns.length} nodes ({withRuns.length - shown.length} more)
        </button>
      )}
    </div>
  );
}
