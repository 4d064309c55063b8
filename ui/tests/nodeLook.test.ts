import { describe, expect, it } from "vitest";
import { NODE_COLORS, NODE_SHAPES, drawableColor } from "../src/canvas/nodeLook";

describe("node look", () => {
  it("offers the spec's shapes", () => {
    expect(NODE_SHAPES).toEqual(["rectangle", "rounded", "pill", "diamond", "circle"]);
  });
  it("draws hex colours and colour names", () => {
    expect(drawableColor("#2563eb")).toBe("#2563eb");
    expect(drawableColor(" #abc ")).toBe("#abc");
    expect(drawableColor("teal")).toBe("teal");
    for (const [hex] of NODE_COLORS) expect(drawableColor(hex)).toBe(hex);
  });
  it("ignores anything else a spec may carry", () => {
    expect(drawableColor(null)).toBeUndefined();
    expect(drawableColor("")).toBeUndefined();
    expect(drawableColor("#12345")).toBeUndefined();
    expect(drawableColor("red; background: url(http://x)")).toBeUndefined();
    expect(drawableColor("var(--secret)")).toBeUndefined();
  });
});
