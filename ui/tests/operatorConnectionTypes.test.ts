// An operator's connection argument carries the connection types it needs (the catalogue derives them
// from the installed hooks: HttpOperator's http_conn_id -> ["http"]); the operator form keeps them, so
// the connection picker asks GET /connections?conn_type=http. A generic conn_id stays any type.
import { describe, expect, it } from "vitest";
import { operatorFormSchema } from "../src/editor/catalogue";
import { fieldsFromSchema } from "../src/forms/schema";

describe("operator connection types", () => {
  it("reach the picker field through the operator form schema", () => {
    const schema = operatorFormSchema({
      type: "object",
      properties: {
        http_conn_id: {
          type: "string",
          format: "airflow-connection-id",
          "x-airflow-connection": ["http"],
          default: "http_default",
        },
        conn_id: { type: ["string", "null"], format: "airflow-connection-id", "x-airflow-connection": [] },
        endpoint: { type: "string", "x-templated": true },
      },
    });
    const byKey = Object.fromEntries(fieldsFromSchema(schema).map((f) => [f.key, f]));
    expect(byKey.http_conn_id.kind).toBe("connection");
    expect(byKey.http_conn_id.connectionTypes).toEqual(["http"]);
    expect(byKey.conn_id.connectionTypes).toEqual([]);
    expect(byKey.endpoint.connectionTypes).toBeUndefined();
  });
});
