import { describe, expect, it } from "vitest";
import { parseSse } from "../src/copilot/api";
import { previewGraph, MAX_DIAGRAM_NODES } from "../src/copilot/Diagram";
import { tokenize } from "../src/copilot/highlight";
import { parseBlocks } from "../src/copilot/markdown";
import { describeChange, pushRecent } from "../src/copilot/recent";
import * as ops from "../src/state/ops";
import { diffWorkflows } from "../src/state/diff";
import type { Workflow } from "../src/spec/types";
import { sample } from "./fixtures";

describe("co-pilot SSE parsing", () => {
  it("returns complete events and keeps the unfinished rest", () => {
    const text =
      'event: text\ndata: {"type":"text","delta":"Hel"}\n\nevent: text\ndata: {"type":"text","delta":"lo"}\n\nevent: done\ndata: {"type":"do';
    const { events, rest } = parseSse(text);
    expect(events).toEqual([
      { type: "text", delta: "Hel" },
      { type: "text", delta: "lo" },
    ]);
    expect(rest.startsWith("event: done")).toBe(true);
    expect(parseSse(rest + 'ne","reply":{}}\n\n').events).toEqual([{ type: "done", reply: {} }]);
  });

  it("fills the lists a server spec leaves out", () => {
    const { events } = parseSse(
      'data: {"type":"done","reply":{"proposal":{"workflow":{"id":"w","nodes":[{"id":"a","type":"input"}]}}}}\n\n',
    );
    const done = events[0] as { reply: { proposal: { workflow: Workflow } } };
    expect(done.reply.proposal.workflow).toEqual({
      id: "w",
      nodes: [{ id: "a", type: "input" }],
      edges: [],
      groups: [],
    });
  });

  it("skips malformed events and handles CRLF", () => {
    expect(parseSse('data: {oops\r\n\r\ndata: {"type":"status","message":"x"}\r\n\r\n').events).toEqual([
      { type: "status", message: "x" },
    ]);
  });
});

describe("co-pilot markdown", () => {
  it("splits paragraphs, lists, headings and fenced code", () => {
    const blocks = parseBlocks(
      "# Title\nSome **bold**\ntext.\n\n- one\n- two\n1. first\n\n```python\nx = 1\n```\nafter",
    );
    expect(blocks.map((b) => b.kind)).toEqual(["h", "p", "ul", "ol", "code", "p"]);
    expect(blocks[1]).toEqual({ kind: "p", text: "Some **bold** text." });
    expect(blocks[4]).toEqual({ kind: "code", language: "python", code: "x = 1" });
  });
});

describe("co-pilot code highlighting", () => {
  it("marks keywords, strings, numbers and comments", () => {
    const kinds = tokenize('def run(x):\n    return "a" + 1  # done', "python").filter(
      (t) => t.kind !== "plain",
    );
    expect(kinds).toEqual([
      { text: "def", kind: "kw" },
      { text: "return", kind: "kw" },
      { text: '"a"', kind: "str" },
      { text: "1", kind: "num" },
      { text: "# done", kind: "com" },
    ]);
    expect(tokenize("INFO ok\nERROR boom", "log").find((t) => t.kind === "err")?.text).toBe("ERROR boom");
    expect(
      tokenize("<script>", "python")
        .map((t) => t.text)
        .join(""),
    ).toBe("<script>");
  });
});

describe("recent actions", () => {
  it("describes adds, removals, field changes and moves", () => {
    const before = sample();
    const added = ops.addNode(before, "process", { x: 0, y: 0 }, { id: "clean" }).wf;
    expect(describeChange(before, added)?.label).toBe("Added node clean");
    const changed = ops.updateNode(added, "clean", { description: "x" });
    expect(describeChange(added, changed)).toEqual({
      label: "Changed node clean; (description)",
      node_ids: ["clean"],
    });
    const moved = ops.moveNodes(changed, { clean: { x: 50, y: 50 } });
    const moveAction = describeChange(changed, moved);
    expect(moveAction?.label).toBe("Moved 1 node(s)");
    expect(describeChange(moved, moved)).toBeNull();
    let list = pushRecent([], moveAction);
    list = pushRecent(list, moveAction);
    expect(list).toHaveLength(1);
    for (let i = 0; i < 20; i++) list = pushRecent(list, { label: `a${i}`, node_ids: [] });
    expect(list).toHaveLength(10);
  });
});

describe("proposal preview", () => {
  it("marks added and removed elements and trims big workflows to the changed part", () => {
    const before = sample();
    const after = ops.connect(
      ops.addNode(before, "process", { x: 0, y: 0 }, { id: "clean" }).wf,
      "fetch",
      "clean",
      "data_flow",
    );
    const { wf, overlays } = previewGraph(diffWorkflows(before, after));
    expect(overlays.diff?.nodes.clean).toBe("added");
    expect(overlays.diff?.edges["fetch->clean"]).toBe("added");
    expect(wf.nodes.length).toBe(after.nodes.length);
    let big: Workflow = before;
    for (let i = 0; i < MAX_DIAGRAM_NODES + 10; i++)
      big = ops.addNode(big, "process", { x: i * 10, y: 0 }, { id: `n${i}` }).wf;
    const bigAfter = ops.connect(big, "n1", "n2", "data_flow");
    const trimmed = previewGraph(diffWorkflows(big, bigAfter)).wf;
    expect(trimmed.nodes.map((n) => n.id).sort()).toEqual(["n1", "n2"]);
  });
});
