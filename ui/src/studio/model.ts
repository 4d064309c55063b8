// Pure helpers of the tool studio: the schema form's rows <-> JSON Schema, versions, the languages
// and test kinds the Tool model allows (checked against the generated types), a new tool's template.
import type { Diagnostic, Tool, ToolTest } from "./api";

type JsonObject = Record<string, unknown>;

/** What the schema form offers; "any" is a property without a type. */
export const FIELD_TYPES = ["string", "number", "integer", "boolean", "object", "array", "any"] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export interface FieldRow {
  name: string;
  type: FieldType;
  required: boolean;
  description: string;
}

function asObject(v: unknown): JsonObject {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as JsonObject) : {};
}

function typeOf(prop: JsonObject): FieldType {
  const t = Array.isArray(prop.type) ? prop.type.find((x) => x !== "null") : prop.type;
  return (FIELD_TYPES as readonly unknown[]).includes(t) ? (t as FieldType) : "any";
}

/** The top level's properties as form rows (nested details stay in the JSON view). */
export function rowsFromSchema(schema: JsonObject): FieldRow[] {
  const props = asObject(schema.properties);
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  return Object.entries(props).map(([name, raw]) => {
    const prop = asObject(raw);
    return {
      name,
      type: typeOf(prop),
      required: required.has(name),
      description: typeof prop.description === "string" ? prop.description : "",
    };
  });
}

/** The rows written back into ``base``: what the form does not show (enum, items, formats, other
 * top-level keys) is kept; a renamed row keeps its property's other keywords. */
export function schemaFromRows(
  rows: FieldRow[],
  base: JsonObject,
  renamedFrom: (string | null)[] = [],
): JsonObject {
  const oldProps = asObject(base.properties);
  const properties: JsonObject = {};
  rows.forEach((row, i) => {
    if (!row.name) return;
    const prev = asObject(oldProps[renamedFrom[i] ?? row.name]);
    const prop: JsonObject = { ...prev };
    if (row.type === "any") delete prop.type;
    else if (typeOf(prev) !== row.type || prop.type === undefined) prop.type = row.type; // ["x","null"] kept
    if (row.description) prop.description = row.description;
    else delete prop.description;
    properties[row.name] = prop;
  });
  const required = rows.filter((r) => r.name && r.required).map((r) => r.name);
  const out: JsonObject = { ...base, type: "object", properties };
  if (required.length) out.required = required;
  else delete out.required;
  return out;
}

/** Parse a JSON editor's text into an object; the message names the problem otherwise. */
export function parseJsonObject(text: string): { value: JsonObject } | { error: string } {
  try {
    const value: unknown = text.trim() ? JSON.parse(text) : {};
    if (!value || typeof value !== "object" || Array.isArray(value))
      return { error: "must be a JSON object" };
    return { value: value as JsonObject };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

export function parseVersion(v: string): [number, number, number] | null {
  const m = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
}

export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a) ?? [0, 0, 0];
  const y = parseVersion(b) ?? [0, 0, 0];
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

/** The next patch after the highest of ``versions`` (a new version to start editing). */
export function nextPatch(versions: string[]): string {
  const top = [...versions]
    .filter((v) => parseVersion(v))
    .sort(compareVersions)
    .pop();
  const p = top ? parseVersion(top)! : null;
  return p ? `${p[0]}.${p[1]}.${p[2] + 1}` : "1.0.0";
}

// The languages and test kinds the server's Tool model allows. `satisfies` plus the two checks
// below make `tsc` fail when the generated types gain or lose one, so the studio cannot fall behind.
type Language = NonNullable<Tool["language"]>;
type TestKind = NonNullable<ToolTest["kind"]>;
export const LANGUAGES = ["python", "sql", "shell"] as const satisfies readonly Language[];
export const TEST_KINDS = ["unit", "integration", "performance"] as const satisfies readonly TestKind[];
type Missing<All, Listed> = Exclude<All, Listed> extends never ? true : never;
export const ALL_LANGUAGES_LISTED: Missing<Language, (typeof LANGUAGES)[number]> = true;
export const ALL_KINDS_LISTED: Missing<TestKind, (typeof TEST_KINDS)[number]> = true;

/** The CodeMirror language of a tool's code (others are plain text). */
export function codeLanguage(language: Tool["language"]): "python" | "text" {
  return (language ?? "python") === "python" ? "python" : "text";
}

export const STARTER_CODE: Record<Language, string> = {
  python: 'def run(text: str) -> dict:\n    return {"length": len(text)}\n',
  sql: "SELECT :text AS text",
  shell: 'printf \'{"length": %d}\' "${#INPUT_TEXT}"\n',
};

export function newTool(name = ""): Tool {
  return {
    name,
    version: "1.0.0",
    description: "",
    language: "python",
    code: STARTER_CODE.python,
    entry_point: "run",
    dependencies: [],
    input_schema: {
      type: "object",
      properties: { text: { type: "string", description: "The text to measure." } },
      required: ["text"],
    },
    output_schema: { type: "object", properties: { length: { type: "integer" } }, required: ["length"] },
    parameters: {},
    tests: [
      { name: "hello", kind: "unit", input: { text: "hello" }, expected: { length: 5 }, assertions: [] },
    ],
  };
}

/** The diagnostics about one part of the tool (``where`` equal to it or below it). */
export function diagnosticsAt(diagnostics: Diagnostic[], where: string): Diagnostic[] {
  return diagnostics.filter((d) => d.where === where || d.where.startsWith(`${where}.`));
}

/** A CodeMirror range (0-based offsets) for a diagnostic's 1-based line/column in ``doc``. */
export function offsetsOf(doc: string, d: Diagnostic): { from: number; to: number } {
  const lines = doc.split("\n");
  const lineStart = (line: number) => {
    const n = Math.min(Math.max(line, 1), lines.length);
    let off = 0;
    for (let i = 0; i < n - 1; i++) off += lines[i].length + 1;
    return { off, len: lines[n - 1].length };
  };
  const a = lineStart(d.line ?? 1);
  const from = a.off + Math.min(Math.max((d.column ?? 1) - 1, 0), a.len);
  const b = lineStart(d.end_line ?? d.line ?? 1);
  let to = b.off + Math.min(Math.max((d.end_column ?? (d.column ?? 1) + 1) - 1, 0), b.len);
  if (to <= from) to = Math.min(from + 1, doc.length);
  return { from: Math.min(from, doc.length), to: Math.max(to, Math.min(from, doc.length)) };
}
