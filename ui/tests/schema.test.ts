import { describe, expect, it } from "vitest";
import {
  checkSchemaText,
  coerce,
  display,
  fieldsFromSchema,
  initialValues,
  validateValues,
  EXECUTION_POLICY_SCHEMA,
} from "../src/forms/schema";
import { paramsSchema } from "../src/panels/RunsPanel";
import { errorsUnder, fieldProblems } from "../src/state/problems";
import { sample } from "./fixtures";

const schema = {
  type: "object",
  required: ["city", "days"],
  properties: {
    city: { type: "string", description: "Where" },
    days: { type: "integer", minimum: 1, maximum: 14, default: 3 },
    units: { enum: ["metric", "imperial"] },
    verbose: { type: "boolean", default: false },
    extra: { type: "object" },
    prompt: { type: "string" },
    model: { anyOf: [{ type: "string" }, { type: "null" }], default: null, title: "Model name" },
    ref: { $ref: "#/$defs/Level" },
  },
  $defs: { Level: { enum: ["low", "high"] } },
};

describe("schema forms", () => {
  const fields = fieldsFromSchema(schema);
  const by = Object.fromEntries(fields.map((f) => [f.key, f]));

  it("derives one field per property with the right widget", () => {
    expect(fields.map((f) => [f.key, f.kind])).toEqual([
      ["city", "string"],
      ["days", "integer"],
      ["units", "enum"],
      ["verbose", "boolean"],
      ["extra", "json"],
      ["prompt", "text"],
      ["model", "string"],
      ["ref", "enum"],
    ]);
    expect(by.city).toMatchObject({ required: true, description: "Where", label: "City" });
    expect(by.model).toMatchObject({ label: "Model name", nullable: true });
    expect(by.ref.options).toEqual(["low", "high"]);
    expect(fieldsFromSchema(EXECUTION_POLICY_SCHEMA).find((f) => f.key === "on_error")?.kind).toBe("enum");
  });

  it("coerces typed text and reports bad input by field label", () => {
    expect(coerce(by.days, "5")).toEqual({ ok: true, value: 5 });
    expect(coerce(by.days, "5.5")).toEqual({ ok: false, error: "Days must be a whole number" });
    expect(coerce(by.days, "")).toEqual({ ok: true, value: undefined });
    expect(coerce(by.units, "imperial")).toEqual({ ok: true, value: "imperial" });
    expect(coerce(by.units, "kelvin").ok).toBe(false);
    expect(coerce(by.extra, '{"a": 1}')).toEqual({ ok: true, value: { a: 1 } });
    expect(coerce(by.extra, "{a").ok).toBe(false);
    expect(display(by.extra, { a: 1 })).toBe('{\n  "a": 1\n}');
  });

  it("validates required fields, bounds and enums; defaults fill initial values", () => {
    expect(validateValues(fields, {})).toEqual({ city: "City is required" });
    expect(validateValues(fields, { city: "Oslo", days: 20, units: "x" })).toEqual({
      days: "Days must be at most 14",
      units: "Units must be one of metric, imperial",
    });
    expect(initialValues(fields, { city: "Oslo" })).toEqual({
      city: "Oslo",
      days: 3,
      verbose: false,
      model: null,
    });
  });

  it("checks schemas typed into the JSON editor", () => {
    expect(checkSchemaText('{"type": "object", "properties": {}}').schema).toEqual({
      type: "object",
      properties: {},
    });
    expect(checkSchemaText("").schema).toEqual({});
    expect(checkSchemaText("{").error).toMatch(/Invalid JSON/);
    expect(checkSchemaText("[]").error).toBe("A JSON Schema must be an object");
    expect(checkSchemaText('{"type": "strng"}').error).toMatch(/Unknown type/);
    expect(checkSchemaText('{"properties": 3}').error).toMatch(/properties/);
  });

  it("builds the trigger form from the input nodes' schemas", () => {
    const wf = sample();
    wf.nodes[0].input_schema = { type: "object", required: ["q"], properties: { q: { type: "string" } } };
    expect(paramsSchema(wf)).toEqual({
      type: "object",
      properties: { q: { type: "string" } },
      required: ["q"],
    });
  });

  it("maps API problems to the exact field of the selected element", () => {
    const wf = sample();
    const problems = [
      {
        code: "E_TIMEOUT",
        message: "timeout must be > 0",
        pointer: "/nodes/1/execution/timeout_seconds",
        node_id: "fetch",
        severity: "error" as const,
        hint: "use 60",
      },
      {
        code: "E_TOOL",
        message: "unknown tool",
        pointer: "/nodes/1/tool",
        node_id: "fetch",
        severity: "error" as const,
      },
      {
        code: "E_EDGE",
        message: "bad edge",
        pointer: "/edges/0/target",
        edge_id: "ask->fetch",
        node_id: "fetch",
        severity: "error" as const,
      },
      {
        code: "E_OTHER",
        message: "other",
        pointer: "/nodes/0/name",
        node_id: "ask",
        severity: "error" as const,
      },
    ];
    const fields = fieldProblems(problems, wf, { node: "fetch" });
    expect(Object.keys(fields).sort()).toEqual(["execution/timeout_seconds", "tool"]);
    expect(errorsUnder(fields, "execution")).toEqual({
      errors: { timeout_seconds: "timeout must be > 0" },
      hints: { timeout_seconds: "use 60" },
    });
    expect(Object.keys(fieldProblems(problems, wf, { edge: "ask->fetch" }))).toEqual(["target"]);
  });
});
