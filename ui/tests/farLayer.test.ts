import { describe, expect, it } from "vitest";
import { FAR_LAYER_MIN_ELEMENTS, farLayerOn, farPaths, farScene, hitTest } from "../src/canvas/farLayer";
import { GROUP_HEADER, GROUP_PAD, NODE_H, NODE_W, toFlow } from "../src/canvas/toFlow";
import type { NodeRunInfo } from "../src/state/status";
import { sample } from "./fixtures";

const run = (state: string) => ({ state }) as unknown as NodeRunInfo;

describe("far layer (a big workflow zoomed out, drawn on a canvas)", () => {
  it("only kicks in for big canvases zoomed out", () => {
    expect(farLayerOn(FAR_LAYER_MIN_ELEMENTS + 1, true)).toBe(true);
    expect(farLayerOn(FAR_LAYER_MIN_ELEMENTS + 1, false)).toBe(false);
    expect(farLayerOn(FAR_LAYER_MIN_ELEMENTS, true)).toBe(false);
    expect(farLayerOn(500, true)).toBe(false);
    expect(farLayerOn(1000, true)).toBe(true);
  });

  it("draws every node at its absolute box in its run state's colour, and the group's frame", () => {
    const { nodes, edges } = toFlow(sample(), {
      runs: {
        ask: run("success"),
        fetch: run("failed"),
        think: run("up_for_retry"),
        shape: run("upstream_failed"),
      },
    });
    const scene = farScene(nodes, edges);
    const byId = Object.fromEntries(scene.boxes.map((b) => [b.id, b]));
    // A member is positioned relative to its group in React Flow; the layer draws it where it is.
    expect(byId.think).toMatchObject({ x: 600, y: 0, w: NODE_W, h: NODE_H, state: "up_for_retry" });
    expect(byId.shape).toMatchObject({ x: 600, y: 150, state: "failed" });
    expect(byId.done.state).toBe("idle");
    expect(byId["group:g1"]).toMatchObject({
      group: true,
      x: 600 - GROUP_PAD,
      y: -GROUP_PAD - GROUP_HEADER,
      state: "failed",
    });
    // The frame is drawn under its members.
    const order = scene.boxes.map((b) => b.id);
    expect(order.indexOf("group:g1")).toBeLessThan(order.indexOf("think"));
    expect(scene.states).toEqual({ success: 1, failed: 2, up_for_retry: 1, idle: 1 });
    expect(scene.edges).toHaveLength(4);
    expect(scene.edges[0]).toEqual({ x1: NODE_W, y1: NODE_H / 2, x2: 300, y2: NODE_H / 2 });
  });

  it("hit-tests nodes before the group frame around them, and nothing on empty space", () => {
    const { nodes, edges } = toFlow(sample());
    const scene = farScene(nodes, edges);
    expect(hitTest(scene, 610, 10)?.id).toBe("think");
    expect(hitTest(scene, 310, 10)?.id).toBe("fetch");
    // Inside the frame, between its two members.
    expect(hitTest(scene, 610, 100)?.id).toBe("group:g1");
    expect(hitTest(scene, 250, 500)).toBeNull();
  });

  it("builds one path per state and outlines the selected nodes", () => {
    const calls: string[] = [];
    let made = 0;
    class FakePath {
      name = `p${made++}`;
      rect(x: number) {
        calls.push(`${this.name}:rect:${x}`);
      }
      moveTo() {
        calls.push(`${this.name}:move`);
      }
      lineTo() {}
    }
    const { nodes, edges } = toFlow(
      sample(),
      { runs: { ask: run("success"), done: run("success") } },
      new Set(["fetch"]),
    );
    const paths = farPaths(farScene(nodes, edges), () => new FakePath() as unknown as Path2D);
    expect([...paths.fills.keys()].sort()).toEqual(["group-idle", "idle", "success"]);
    const success = (paths.fills.get("success") as unknown as FakePath).name;
    expect(calls.filter((c) => c.startsWith(`${success}:rect`))).toEqual([
      `${success}:rect:0`,
      `${success}:rect:900`,
    ]);
    const selected = (paths.selected as unknown as FakePath).name;
    expect(calls.filter((c) => c.startsWith(`${selected}:`))).toEqual([`${selected}:rect:300`]);
    expect(calls.filter((c) => c.endsWith(":move"))).toHaveLength(4);
  });
});
