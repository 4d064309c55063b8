// The chain library's client side: which workflow fields a user template offers as parameters
// (JSON pointers the server resolves), and the shared store that opens dialogs and holds statuses.
import { describe, expect, it } from "vitest";
import { paramCandidates } from "../src/chains/params";
import {
  chainStatus,
  clearChainRequest,
  currentChainRequest,
  requestChain,
  setChainStatuses,
  subscribe,
} from "../src/chains/store";
import { normaliseWorkflow, type Workflow } from "../src/spec/types";

const wf: Workflow = normaliseWorkflow({
  id: "desk",
  description: "Answers",
  triggers: { schedule: { kind: "cron", value: "0 6 * * *" } },
  nodes: [
    { id: "ask", type: "input" },
    {
      id: "llm",
      type: "agent",
      agent: { connection_id: "openai_prod" },
      parameters: { "a/b~c": "x", nested: { no: 1 }, limit: 3 },
      execution: { pool: "llm_pool" },
    },
  ],
});

describe("paramCandidates", () => {
  it("offers description, schedule, connections, scalar parameters and pools as pointers", () => {
    const got = paramCandidates(wf).map((c) => [c.name, c.pointer, c.value]);
    expect(got).toEqual([
      ["description", "/description", "Answers"],
      ["schedule", "/triggers/schedule/value", "0 6 * * *"],
      ["llm_connection", "/nodes/1/agent/connection_id", "openai_prod"],
      // "/" and "~" in a key are escaped as JSON pointers require; objects are not offered.
      ["llm_a_b_c", "/nodes/1/parameters/a~1b~0c", "x"],
      ["llm_limit", "/nodes/1/parameters/limit", 3],
      ["llm_pool", "/nodes/1/execution/pool", "llm_pool"],
    ]);
  });

  it("keeps names unique and valid", () => {
    const twin = normaliseWorkflow({
      id: "t",
      nodes: [{ id: "9n", type: "tool", parameters: { k: "a", K: "b" } }],
    });
    expect(paramCandidates(twin).map((c) => c.name)).toEqual(["p_9n_k", "p_9n_k_2"]);
  });
});

describe("chain store", () => {
  it("hands a request to the dialogs once and holds statuses per group", () => {
    let calls = 0;
    const stop = subscribe(() => calls++);
    expect(currentChainRequest()).toBeNull();
    requestChain({ kind: "update-chain", groupId: "g1" });
    expect(currentChainRequest()).toMatchObject({ kind: "update-chain", groupId: "g1" });
    clearChainRequest();
    expect(currentChainRequest()).toBeNull();
    setChainStatuses([
      {
        group_id: "g1",
        chain: "c@1.0.0",
        name: "c",
        pinned: "1.0.0",
        update: "compatible",
        latest: "2.0.0",
        latest_compatible: "1.1.0",
        message: "",
      },
    ]);
    expect(chainStatus("g1")?.latest_compatible).toBe("1.1.0");
    setChainStatuses([]);
    expect(chainStatus("g1")).toBeUndefined();
    expect(calls).toBe(4);
    stop();
    requestChain({ kind: "insert-chain" });
    expect(calls).toBe(4);
  });
});
