import { describe, expect, it } from "vitest";
import {
  exactVersion,
  matchesWords,
  moveActive,
  nodeTypeEntries,
  operatorEntries,
  operatorFormSchema,
  operatorNodeExtra,
  operatorNodeId,
  providerLabel,
  schemaSummary,
  toolEntries,
  toolParamsSchema,
  type OperatorEntry,
} from "../src/editor/catalogue";
import { fieldsFromSchema } from "../src/forms/schema";
import { byVersionDesc } from "../src/panels/ToolSection";
import { addNode } from "../src/state/ops";

const BASH: OperatorEntry = {
  operator: "airflow.providers.standard.operators.bash.BashOperator",
  name: "BashOperator",
  kind: "operator",
  provider: "apache-airflow-providers-standard",
  provider_version: "1.0.0",
  summary: "Execute a Bash script, command or set of commands.",
  parameters_schema: {
    type: "object",
    properties: {
      bash_command: { type: "string", description: "The command.", "x-templated": true },
      append_env: { type: "boolean", default: false },
    },
    required: ["bash_command"],
    additionalProperties: false,
  },
  template_fields: ["bash_command"],
  connection_fields: [],
};

describe("palette entries", () => {
  it("searches node types and tools by every word, case-blind", () => {
    expect(matchesWords("", "anything")).toBe(true);
    expect(matchesWords("HTTP req", "http_request Fetch a URL")).toBe(true);
    expect(matchesWords("http xml", "http_request Fetch a URL")).toBe(false);
    expect(nodeTypeEntries("model").map((e) => e.type)).toEqual(["agent"]);
    expect(nodeTypeEntries("").map((e) => e.testId)).toContain("palette-process");
    const tools = [
      { name: "http_request", version: "1.0.0", description: "Call an HTTP endpoint" },
      { name: "sql_query", version: "1.2.0", description: "Run a query" },
    ];
    const found = toolEntries(tools, "endpoint");
    expect(found.map((e) => [e.label, e.extra?.tool, e.group])).toEqual([
      ["http_request@1.0.0", "http_request@1.0.0", "Tools"],
    ]);
  });

  it("turns an operator into an operator-backed tool node with empty parameters", () => {
    const [entry] = operatorEntries([BASH]);
    expect(entry).toMatchObject({ group: "Operators", type: "tool", label: "BashOperator" });
    expect(entry.detail).toBe("standard · Execute a Bash script, command or set of commands.");
    expect(entry.extra).toEqual({ id: "bash", tool: null, operator: BASH.operator, parameters: {} });
    const wf = { id: "w", nodes: [], edges: [], groups: [] } as unknown as Parameters<typeof addNode>[0];
    const added = addNode(wf, "tool", { x: 1, y: 2 }, operatorNodeExtra(BASH));
    const node = added.wf.nodes[0];
    expect([added.id, node.type, node.operator, node.tool, node.parameters]).toEqual([
      "bash",
      "tool",
      BASH.operator,
      null,
      {},
    ]);
  });

  it("names operator nodes after the class", () => {
    expect(operatorNodeId("BashOperator")).toBe("bash");
    expect(operatorNodeId("HttpSensor")).toBe("http_sensor");
    expect(operatorNodeId("SQLExecuteQueryOperator")).toBe("sql_execute_query");
    expect(operatorNodeId("Operator")).toBe("operator");
    expect(providerLabel("apache-airflow-providers-common-sql")).toBe("common-sql");
  });

  it("walks the rows with the arrow keys, wrapping around", () => {
    expect(moveActive(-1, "ArrowDown", 3)).toBe(0);
    expect(moveActive(2, "ArrowDown", 3)).toBe(0);
    expect(moveActive(0, "ArrowUp", 3)).toBe(2);
    expect(moveActive(-1, "ArrowUp", 3)).toBe(2);
    expect(moveActive(1, "End", 3)).toBe(2);
    expect(moveActive(2, "Home", 3)).toBe(0);
    expect(moveActive(5, "x", 3)).toBe(2);
    expect(moveActive(0, "ArrowDown", 0)).toBe(-1);
  });
});

describe("forms from operator and tool schemas", () => {
  it("marks templated fields and keeps types, defaults and required", () => {
    const fields = fieldsFromSchema(operatorFormSchema(BASH.parameters_schema));
    const by = Object.fromEntries(fields.map((f) => [f.key, f]));
    expect(by.bash_command.required).toBe(true);
    expect(by.bash_command.label).toBe("Bash command {{ }}");
    expect(by.bash_command.description).toMatch(/^Templated: Jinja allowed.*The command\.$/);
    expect(by.append_env).toMatchObject({ kind: "boolean", default: false, required: false });
    expect(by.append_env.label).toBe("Append env");
  });

  it("a tool's parameters form: its input fields, none required, the tool's defaults shown", () => {
    const schema = toolParamsSchema({
      input_schema: {
        type: "object",
        required: ["url"],
        properties: { url: { type: "string" }, timeout: { type: "number" } },
      },
      parameters: { timeout: 30 },
    });
    const fields = fieldsFromSchema(schema);
    expect(fields.map((f) => [f.key, f.required, f.default])).toEqual([
      ["url", false, undefined],
      ["timeout", false, 30],
    ]);
    expect(
      schemaSummary({ type: "object", required: ["url"], properties: { url: { type: "string" } } }),
    ).toBe("url* (string)");
    expect(schemaSummary({})).toBe("not declared");
  });

  it("reads versions", () => {
    expect(exactVersion("http_request@1.2.3")).toBe("1.2.3");
    expect(exactVersion("http_request@^1.2")).toBeNull();
    expect(["1.2.0", "1.10.0", "0.9.9"].sort(byVersionDesc)).toEqual(["1.10.0", "1.2.0", "0.9.9"]);
  });
});

describe("operator rows while a search is out", () => {
  it("narrows the previous answer to the new words instead of showing all of it", async () => {
    const { stillMatching } = await import("../src/canvas/Palette");
    const HTTP: OperatorEntry = {
      ...BASH,
      operator: "airflow.providers.http.operators.http.HttpOperator",
      name: "HttpOperator",
      provider: "apache-airflow-providers-http",
      summary: "Calls an endpoint on an HTTP system.",
    };
    expect(stillMatching([HTTP, BASH], "bash").map((e) => e.name)).toEqual(["BashOperator"]);
    expect(stillMatching([HTTP, BASH], "http endpoint").map((e) => e.name)).toEqual(["HttpOperator"]);
    expect(stillMatching([HTTP, BASH], "")).toHaveLength(2);
  });
});
