import { describe, expect, it } from "vitest";
import {
  compareVersions,
  diagnosticsAt,
  nextPatch,
  offsetsOf,
  parseJsonObject,
  rowsFromSchema,
  schemaFromRows,
} from "../src/studio/model";
import type { Diagnostic } from "../src/studio/api";

const diag = (p: Partial<Diagnostic>): Diagnostic => ({
  where: "code",
  message: "m",
  severity: "error",
  line: null,
  column: null,
  end_line: null,
  end_column: null,
  ...p,
});

describe("schema form rows", () => {
  const schema = {
    type: "object",
    title: "In",
    properties: {
      text: { type: "string", description: "The text.", minLength: 1 },
      mode: { type: ["string", "null"], enum: ["a", "b", null] },
      blob: {},
    },
    required: ["text"],
  };

  it("reads the top-level fields", () => {
    expect(rowsFromSchema(schema)).toEqual([
      { name: "text", type: "string", required: true, description: "The text." },
      { name: "mode", type: "string", required: false, description: "" },
      { name: "blob", type: "any", required: false, description: "" },
    ]);
  });

  it("writes back keeping what the form does not show", () => {
    expect(schemaFromRows(rowsFromSchema(schema), schema)).toEqual(schema);
    const rows = rowsFromSchema(schema);
    rows[0] = { ...rows[0], name: "body", required: false };
    rows[2] = { ...rows[2], type: "integer" };
    const out = schemaFromRows(rows, schema, ["text", "mode", "blob"]);
    expect(out.properties).toEqual({
      body: { type: "string", description: "The text.", minLength: 1 },
      mode: { type: ["string", "null"], enum: ["a", "b", null] },
      blob: { type: "integer" },
    });
    expect(out.required).toBeUndefined();
    expect(out.title).toBe("In");
  });

  it("adds a field and skips unnamed rows", () => {
    const out = schemaFromRows(
      [
        { name: "n", type: "number", required: true, description: "" },
        { name: "", type: "string", required: true, description: "" },
      ],
      {},
    );
    expect(out).toEqual({ type: "object", properties: { n: { type: "number" } }, required: ["n"] });
  });
});

describe("versions", () => {
  it("orders numerically and suggests the next patch", () => {
    expect(["1.10.0", "1.2.0", "1.9.3"].sort(compareVersions)).toEqual(["1.2.0", "1.9.3", "1.10.0"]);
    expect(nextPatch(["1.0.0", "2.0.0", "1.10.4"])).toBe("2.0.1");
    expect(nextPatch([])).toBe("1.0.0");
  });
});

describe("diagnostics", () => {
  const doc = "def run(x):\n    return x +\n";
  it("maps 1-based line/column to offsets inside the document", () => {
    const { from, to } = offsetsOf(doc, diag({ line: 2, column: 15, end_line: 2, end_column: 16 }));
    expect(doc.slice(0, from).split("\n")).toHaveLength(2);
    expect(from).toBe(12 + 14);
    expect(to).toBe(from + 1);
    // Beyond the end: clamped, never an empty or inverted range.
    const far = offsetsOf(doc, diag({ line: 99, column: 99 }));
    expect(far.from).toBeLessThanOrEqual(doc.length);
    expect(far.to).toBeGreaterThanOrEqual(far.from);
  });

  it("selects the diagnostics of one part", () => {
    const all = [
      diag({ where: "tests.0.input" }),
      diag({ where: "tests.10" }),
      diag({ where: "input_schema" }),
    ];
    expect(diagnosticsAt(all, "tests.0")).toHaveLength(1);
    expect(diagnosticsAt(all, "input_schema")).toHaveLength(1);
  });

  it("parses JSON objects only", () => {
    expect(parseJsonObject('{"a": 1}')).toEqual({ value: { a: 1 } });
    expect(parseJsonObject("[1]")).toEqual({ error: "must be a JSON object" });
    expect("error" in parseJsonObject("{")).toBe(true);
  });
});
