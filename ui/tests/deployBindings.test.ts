import { describe, expect, it } from "vitest";
import { bindingRows } from "../src/panels/DeployPanel";

describe("bindingRows (the Deploy dialog's environment review)", () => {
  it("lists every bound name of every kind, values as JSON", () => {
    const rows = bindingRows({
      connections: { llm: "openai_prod" },
      variables: {},
      params: { region: "eu", n: 5 },
      pools: { heavy: "prod_pool" },
      dag_id_suffix: "__prod",
    });
    expect(rows).toEqual([
      ["connections", "llm", '"openai_prod"'],
      ["params", "region", '"eu"'],
      ["params", "n", "5"],
      ["pools", "heavy", '"prod_pool"'],
      ["dag_id_suffix", "", '"__prod"'],
    ]);
  });

  it("shows nothing for an environment without bindings", () => {
    expect(bindingRows(null)).toEqual([]);
    expect(bindingRows({ connections: {}, dag_id_suffix: "" })).toEqual([]);
  });
});
