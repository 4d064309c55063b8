// Forms generated from JSON Schema: the schema becomes a flat list of field descriptors (what the
// form renders), string input is coerced back to typed values, and values are checked against the
// schema the way the server will check them, so mistakes show next to the field before a save.
import type { JsonSchema } from "../spec/types";

export type FieldKind = "string" | "text" | "number" | "integer" | "boolean" | "enum" | "json" | "connection";

/** A tool's input schema marks a property holding an Airflow connection id with this keyword (the
 * connection types it accepts; empty = any): validation/resources.py CONNECTION_KEYWORD. */
export const CONNECTION_KEYWORD = "x-airflow-connection";
/** An operator's parameters schema marks one with this format (catalogue/schema.py CONNECTION_FORMAT). */
export const CONNECTION_FORMAT = "airflow-connection-id";

/** The connection types a property accepts ([] = any type), or undefined when it is no connection. */
export function connectionTypesOf(prop: JsonSchema): string[] | undefined {
  const marked = prop[CONNECTION_KEYWORD];
  if (marked !== undefined)
    return Array.isArray(marked) ? marked.filter((t): t is string => typeof t === "string") : [];
  return prop.format === CONNECTION_FORMAT ? [] : undefined;
}

export interface FieldDescriptor {
  key: string;
  label: string;
  kind: FieldKind;
  required: boolean;
  description?: string;
  options?: unknown[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  nullable: boolean;
  /** kind "connection": the Airflow connection types that fit ([] = any). */
  connectionTypes?: string[];
}

function typeList(schema: JsonSchema): string[] {
  const t = schema.type;
  if (Array.isArray(t)) return t.map(String);
  if (typeof t === "string") return [t];
  // pydantic writes Optional[X] as anyOf [X, null].
  const anyOf = schema.anyOf as JsonSchema[] | undefined;
  if (Array.isArray(anyOf)) return anyOf.flatMap((s) => typeList(s));
  return [];
}

function enumOf(schema: JsonSchema): unknown[] | undefined {
  if (Array.isArray(schema.enum)) return schema.enum;
  const anyOf = schema.anyOf as JsonSchema[] | undefined;
  const withEnum = anyOf?.find((s) => Array.isArray(s.enum));
  return withEnum ? (withEnum.enum as unknown[]) : undefined;
}

export function humanize(key: string): string {
  const words = key.replace(/_/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Resolve a local "$ref": "#/$defs/X" (pydantic's schemas use them). */
export function resolveRef(schema: JsonSchema, root: JsonSchema): JsonSchema {
  const ref = schema.$ref;
  if (typeof ref !== "string" || !ref.startsWith("#/")) return schema;
  let cur: unknown = root;
  for (const part of ref.slice(2).split("/")) cur = (cur as Record<string, unknown> | undefined)?.[part];
  return (cur as JsonSchema) ?? schema;
}

export function fieldsFromSchema(
  schema: JsonSchema | null | undefined,
  root: JsonSchema = schema ?? {},
): FieldDescriptor[] {
  if (!schema) return [];
  const props = (resolveRef(schema, root).properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  return Object.entries(props).map(([key, raw]) => {
    const prop = resolveRef(raw, root);
    const anyOf = (prop.anyOf as JsonSchema[] | undefined)?.map((s) => resolveRef(s, root));
    const types = anyOf ? anyOf.flatMap(typeList) : typeList(prop);
    const nonNull = types.filter((t) => t !== "null");
    const options = enumOf(anyOf ? { anyOf } : prop);
    const connectionTypes = connectionTypesOf(prop);
    let kind: FieldKind;
    if (connectionTypes && !options) kind = "connection";
    else if (options) kind = "enum";
    else if (nonNull.length === 1 && nonNull[0] === "string")
      kind =
        prop.format === "multiline" || /prompt|description|code|expression/.test(key) ? "text" : "string";
    else if (
      nonNull.length === 1 &&
      (nonNull[0] === "number" || nonNull[0] === "integer" || nonNull[0] === "boolean")
    )
      kind = nonNull[0] as FieldKind;
    else kind = "json";
    return {
      key,
      label: (prop.title as string | undefined) ?? humanize(key),
      kind,
      required: required.has(key),
      description: prop.description as string | undefined,
      options,
      default: prop.default,
      minimum: (prop.minimum ?? prop.exclusiveMinimum) as number | undefined,
      maximum: (prop.maximum ?? prop.exclusiveMaximum) as number | undefined,
      nullable: types.includes("null") || !required.has(key),
      ...(kind === "connection" ? { connectionTypes } : {}),
    };
  });
}

export type Coerced = { ok: true; value: unknown } | { ok: false; error: string };

/** Text typed into a field -> the typed value the spec stores (undefined = unset). */
export function coerce(field: FieldDescriptor, text: string): Coerced {
  const trimmed = text.trim();
  if (trimmed === "" && field.kind !== "string" && field.kind !== "text")
    return { ok: true, value: undefined };
  switch (field.kind) {
    case "integer":
    case "number": {
      const n = Number(trimmed);
      if (!Number.isFinite(n)) return { ok: false, error: `${field.label} must be a number` };
      if (field.kind === "integer" && !Number.isInteger(n))
        return { ok: false, error: `${field.label} must be a whole number` };
      return { ok: true, value: n };
    }
    case "boolean":
      return { ok: true, value: trimmed === "true" };
    case "json":
      try {
        return { ok: true, value: JSON.parse(trimmed) };
      } catch (e) {
        return { ok: false, error: `${field.label}: invalid JSON (${(e as Error).message})` };
      }
    case "enum": {
      const match = field.options?.find((o) => String(o) === trimmed);
      return match === undefined
        ? { ok: false, error: `${field.label} must be one of ${field.options?.join(", ")}` }
        : { ok: true, value: match };
    }
    default:
      return { ok: true, value: text };
  }
}

/** The text a field shows for a stored value. */
export function display(field: FieldDescriptor, value: unknown): string {
  if (value === undefined || value === null) return "";
  if (field.kind === "json") return JSON.stringify(value, null, 2);
  return String(value);
}

/** Check values against the fields: required, type and bounds. Keyed by field. */
export function validateValues(
  fields: FieldDescriptor[],
  values: Record<string, unknown>,
): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const v = values[f.key];
    if (v === undefined || v === null || v === "") {
      if (f.required && f.default === undefined) errors[f.key] = `${f.label} is required`;
      continue;
    }
    if ((f.kind === "number" || f.kind === "integer") && typeof v !== "number")
      errors[f.key] = `${f.label} must be a number`;
    else if (typeof v === "number") {
      if (f.minimum !== undefined && v < f.minimum)
        errors[f.key] = `${f.label} must be at least ${f.minimum}`;
      if (f.maximum !== undefined && v > f.maximum) errors[f.key] = `${f.label} must be at most ${f.maximum}`;
    }
    if (f.kind === "enum" && !f.options?.some((o) => o === v))
      errors[f.key] = `${f.label} must be one of ${f.options?.join(", ")}`;
  }
  return errors;
}

/** Initial values for a form: stored values, else the schema's defaults. */
export function initialValues(
  fields: FieldDescriptor[],
  stored: Record<string, unknown> = {},
): Record<string, unknown> {
  return Object.fromEntries(
    fields
      .map((f) => [f.key, stored[f.key] !== undefined ? stored[f.key] : f.default])
      .filter(([, v]) => v !== undefined),
  );
}

/** A JSON Schema typed in the schema editor: valid JSON, an object, with a known "type". */
export function checkSchemaText(text: string): { schema?: JsonSchema; error?: string } {
  if (!text.trim()) return { schema: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { error: `Invalid JSON: ${(e as Error).message}` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return { error: "A JSON Schema must be an object" };
  const t = (value as JsonSchema).type;
  const known = ["object", "array", "string", "number", "integer", "boolean", "null"];
  if (t !== undefined && !(Array.isArray(t) ? t : [t]).every((x) => known.includes(String(x)))) {
    return { error: `Unknown type ${JSON.stringify(t)}: use one of ${known.join(", ")}` };
  }
  const props = (value as JsonSchema).properties;
  if (props !== undefined && (typeof props !== "object" || props === null || Array.isArray(props))) {
    return { error: '"properties" must be an object' };
  }
  return { schema: value as JsonSchema };
}

// Hand-kept copy of ExecutionPolicy's shape (spec/models.py) for when the catalogue is not loaded.
export const EXECUTION_POLICY_SCHEMA: JsonSchema = {
  type: "object",
  properties: {
    timeout_seconds: {
      type: ["number", "null"],
      exclusiveMinimum: 0,
      description: "Task execution_timeout.",
    },
    on_error: {
      enum: ["fail", "skip", "continue", "fallback"],
      description: "What happens when the node fails.",
    },
    fallback_node: { type: ["string", "null"], description: "Node that runs when on_error = fallback." },
    pool: { type: ["string", "null"] },
    pool_slots: { type: ["integer", "null"], minimum: 1 },
    queue: { type: ["string", "null"] },
    priority_weight: { type: ["integer", "null"] },
    map_over: { type: ["string", "null"], description: "Input field holding a list: one task per item." },
    log_payloads: { enum: ["redacted", "sizes", "off"] },
  },
};

export const RETRY_POLICY_SCHEMA: JsonSchema = {
  type: "object",
  properties: {
    retries: { type: "integer", minimum: 0, maximum: 100, default: 0 },
    delay_seconds: { type: "number", minimum: 0, default: 300 },
    exponential_backoff: { type: "boolean", default: false },
    max_delay_seconds: { type: ["number", "null"], minimum: 0 },
  },
};

export const AGENT_SCHEMA: JsonSchema = {
  type: "object",
  properties: {
    model: { type: ["string", "null"], description: "Defaults to the connection's model." },
    // Any connection type: the agent reads the model endpoint from its host/password/extra.
    connection_id: { type: "string", default: "openai_default", "x-airflow-connection": [] },
    system_prompt: { type: "string" },
    prompt: { type: "string", description: "Jinja over `inputs` and `params`." },
    max_steps: { type: "integer", minimum: 1, maximum: 100, default: 8 },
    temperature: { type: ["number", "null"], minimum: 0, maximum: 2 },
    request_timeout_seconds: { type: "number", exclusiveMinimum: 0, default: 60 },
  },
};
