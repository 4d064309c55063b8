import { describe, expect, it } from "vitest";
import { matchScore, searchNodes } from "../src/editor/nodeSearch";
import type { SpecNode } from "../src/spec/types";

const nodes = [
  { id: "fetch_tickets", type: "tool", name: "Fetch tickets", tool: "http_get@1" },
  { id: "classify", type: "agent", name: "Classify ticket" },
  { id: "summarize", type: "agent", name: "" },
  { id: "route", type: "process", name: "Route by priority" },
  { id: "notify_team", type: "output", name: "Notify the team" },
] as SpecNode[];

const ids = (q: string) => searchNodes(nodes, q).map((m) => m.id);

describe("node search", () => {
  it("lists every node, in order, for an empty query", () => {
    expect(ids("  ")).toEqual(nodes.map((n) => n.id));
  });
  it("ranks exact id, then prefix, then word start, then substring", () => {
    expect(matchScore("route", "route")).toBeGreaterThan(matchScore("router", "route"));
    expect(matchScore("router", "route")).toBeGreaterThan(matchScore("notify_route", "route"));
    expect(matchScore("notify_route", "route")).toBeGreaterThan(matchScore("reroute", "route"));
    expect(matchScore("reroute", "route")).toBeGreaterThan(matchScore("r_o_u_t_e", "route"));
  });
  it("matches the name, case-insensitively", () => {
    expect(ids("PRIORITY")).toEqual(["route"]);
  });
  it("matches by type and by tool", () => {
    expect(ids("agent")).toEqual(["classify", "summarize"]);
    expect(ids("http_get")).toEqual(["fetch_tickets"]);
  });
  it("is fuzzy: letters in order, tighter matches first", () => {
    expect(ids("ntfy")).toEqual(["notify_team"]);
    // "tick" is a substring of two nodes; "classify" matches only through its name's word start
    expect(ids("tick")[0]).toBe("fetch_tickets");
    expect(ids("tick")).toContain("classify");
  });
  it("finds nothing for letters that are not there in order", () => {
    expect(ids("zzz")).toEqual([]);
    expect(ids("yfitno")).toEqual([]);
  });
  it("puts an id match before a name match of the same kind", () => {
    const twins = [
      { id: "b", type: "tool", name: "sum" },
      { id: "sum", type: "tool", name: "x" },
    ] as SpecNode[];
    expect(searchNodes(twins, "sum").map((m) => m.id)).toEqual(["sum", "b"]);
  });
});
