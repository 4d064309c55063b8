// Connection fields in generated forms: a tool's `x-airflow-connection` keyword (with the types it
// accepts) and an operator's "airflow-connection-id" format both make a connection picker field.
import { describe, expect, it } from "vitest";
import { AGENT_SCHEMA, coerce, connectionTypesOf, fieldsFromSchema } from "../src/forms/schema";

describe("connection fields", () => {
  it("reads the types from the tool keyword", () => {
    const [field] = fieldsFromSchema({
      type: "object",
      properties: {
        conn_id: { type: "string", default: "http_default", "x-airflow-connection": ["http"] },
      },
    });
    expect(field.kind).toBe("connection");
    expect(field.connectionTypes).toEqual(["http"]);
    expect(field.default).toBe("http_default");
  });

  it("takes an operator's connection format as any type, nullable or not", () => {
    const fields = fieldsFromSchema({
      type: "object",
      properties: {
        postgres_conn_id: { type: ["string", "null"], format: "airflow-connection-id" },
        sql: { type: "string" },
      },
    });
    expect(fields.map((f) => [f.key, f.kind, f.connectionTypes])).toEqual([
      ["postgres_conn_id", "connection", []],
      ["sql", "string", undefined],
    ]);
  });

  it("keeps non-string type names out and leaves other fields alone", () => {
    expect(connectionTypesOf({ "x-airflow-connection": ["http", 3, "postgres"] })).toEqual([
      "http",
      "postgres",
    ]);
    expect(connectionTypesOf({ "x-airflow-connection": true })).toEqual([]);
    expect(connectionTypesOf({ type: "string", format: "uri" })).toBeUndefined();
  });

  it("marks the agent's connection field, and an empty id means unset (the default applies)", () => {
    const field = fieldsFromSchema(AGENT_SCHEMA).find((f) => f.key === "connection_id");
    expect(field?.kind).toBe("connection");
    expect(coerce(field!, "  ")).toEqual({ ok: true, value: undefined });
    expect(coerce(field!, "openai_prod")).toEqual({ ok: true, value: "openai_prod" });
  });
});
