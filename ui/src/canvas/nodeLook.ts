// A node's own look (spec `ui.shape`, `ui.color`): the shapes the spec allows, the colours the
// panel offers, and which colour strings the canvas draws.
import type { NodeUI } from "../spec/types";

export type NodeShape = NonNullable<NodeUI["shape"]>;

/** The spec's shapes (airflow_canvas/spec/models.py NodeUI.shape), in the order the panel lists them. */
export const NODE_SHAPES: NodeShape[] = ["rectangle", "rounded", "pill", "diamond", "circle"];

/** The panel's swatches; any other CSS hex colour can be picked too. */
export const NODE_COLORS: [string, string][] = [
  ["#2563eb", "blue"],
  ["#0891b2", "cyan"],
  ["#16a34a", "green"],
  ["#ca8a04", "yellow"],
  ["#ea580c", "orange"],
  ["#dc2626", "red"],
  ["#db2777", "pink"],
  ["#7c3aed", "violet"],
  ["#6b7280", "grey"],
];

/** The colour the canvas draws: a hex colour or a CSS colour name; anything else is ignored (the
 * spec stores a free string, and a spec can come from an import or the co-pilot). */
export function drawableColor(color: string | null | undefined): string | undefined {
  if (!color) return undefined;
  const c = color.trim();
  return /^#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i.test(c) || /^[a-z]{3,20}$/i.test(c) ? c : undefined;
}
