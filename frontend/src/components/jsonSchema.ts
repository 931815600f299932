/**
 * Just enough JSON Schema for forms: the keywords the pipeline kinds' parameter schemas and
 * typical model input schemas use (type, properties, required, additionalProperties, enum,
 * minimum/maximum, minLength/maxLength, items, minItems/maxItems, uniqueItems, anyOf). The
 * server validates with a full Draft 2020-12 validator; this only gives feedback while typing.
 */
export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  anyOf?: JsonSchema[];
  default?: unknown;
  description?: string;
  title?: string;
};

export interface SchemaProblem {
  /** dotted path below the root, "" for the root */
  path: string;
  message: string;
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function typeMatches(expected: string, value: unknown): boolean {
  const actual = typeOf(value);
  return expected === actual || (expected === "number" && actual === "integer");
}

export function validateAgainst(schema: JsonSchema, value: unknown, path = ""): SchemaProblem[] {
  const at = (message: string) => [{ path, message }];
  if (schema.anyOf) {
    const fits = schema.anyOf.some((s) => validateAgainst(s, value, path).length === 0);
    if (!fits) {
      const types = schema.anyOf.map((s) => s.type).filter(Boolean).join(" or ");
      return at(types ? `must be ${types}` : "matches none of the allowed shapes");
    }
  }
  if (schema.type) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => typeMatches(t, value))) return at(`must be ${types.join(" or ")}, not ${typeOf(value)}`);
  }
  if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value)))
    return at(`must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(", ")}`);
  const problems: SchemaProblem[] = [];
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum) problems.push({ path, message: `must be at least ${schema.minimum}` });
    if (schema.maximum !== undefined && value > schema.maximum) problems.push({ path, message: `must be at most ${schema.maximum}` });
  }
  if (typeof value === "string") {
    if (schema.minLength !== undefined && value.length < schema.minLength)
      problems.push({ path, message: schema.minLength === 1 ? "must not be empty" : `needs at least ${schema.minLength} characters` });
    if (schema.maxLength !== undefined && value.length > schema.maxLength)
      problems.push({ path, message: `must be at most ${schema.maxLength} characters` });
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) problems.push({ path, message: `needs at least ${schema.minItems} item(s)` });
    if (schema.maxItems !== undefined && value.length > schema.maxItems) problems.push({ path, message: `takes at most ${schema.maxItems} items` });
    if (schema.uniqueItems && new Set(value.map((v) => JSON.stringify(v))).size !== value.length)
      problems.push({ path, message: "must not repeat an item" });
    if (schema.items) value.forEach((item, i) => problems.push(...validateAgainst(schema.items!, item, join(path, String(i)))));
  }
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    for (const name of schema.required ?? []) if (!(name in record)) problems.push({ path: join(path, name), message: "is required" });
    for (const [name, item] of Object.entries(record)) {
      const sub = schema.properties?.[name];
      if (sub) problems.push(...validateAgainst(sub, item, join(path, name)));
      else if (schema.additionalProperties === false) {
        const known = Object.keys(schema.properties ?? {}).join(", ");
        problems.push({ path: join(path, name), message: `is not a known parameter${known ? ` (known: ${known})` : ""}` });
      } else if (schema.additionalProperties && typeof schema.additionalProperties === "object")
        problems.push(...validateAgainst(schema.additionalProperties, item, join(path, name)));
    }
  }
  return problems;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

const TYPES = new Set(["object", "array", "string", "number", "integer", "boolean", "null"]);

/**
 * Quick checks that a JSON value reads as a JSON Schema (the server runs the full meta-schema
 * check and answers 422 naming the field when this misses something).
 */
export function checkSchemaShape(value: unknown, path = ""): SchemaProblem[] {
  if (typeof value === "boolean") return [];
  if (!value || typeof value !== "object" || Array.isArray(value)) return [{ path, message: "a JSON Schema is an object, like {\"type\": \"object\"}" }];
  const schema = value as Record<string, unknown>;
  const problems: SchemaProblem[] = [];
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  for (const t of types) if (typeof t !== "string" || !TYPES.has(t)) problems.push({ path: join(path, "type"), message: `unknown type ${JSON.stringify(t)} (use ${[...TYPES].join(", ")})` });
  if (schema.properties !== undefined) {
    if (!schema.properties || typeof schema.properties !== "object" || Array.isArray(schema.properties))
      problems.push({ path: join(path, "properties"), message: "must be an object of property schemas" });
    else
      for (const [name, sub] of Object.entries(schema.properties as Record<string, unknown>))
        problems.push(...checkSchemaShape(sub, join(join(path, "properties"), name)));
  }
  if (schema.required !== undefined && (!Array.isArray(schema.required) || schema.required.some((r) => typeof r !== "string")))
    problems.push({ path: join(path, "required"), message: "must be a list of property names" });
  if (schema.items !== undefined) problems.push(...checkSchemaShape(schema.items, join(path, "items")));
  return problems;
}

/** Parse JSON and say where it breaks, in words. */
export function parseJson(text: string): { value?: unknown; error?: string } {
  if (!text.trim()) return { value: undefined };
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message);
    if (position) {
      const upTo = text.slice(0, Number(position[1]));
      const line = upTo.split("\n").length;
      const column = upTo.length - upTo.lastIndexOf("\n");
      return { error: `Not valid JSON at line ${line}, column ${column}: ${message.replace(/ in JSON at position \d+.*$/, "")}` };
    }
    return { error: `Not valid JSON: ${message}` };
  }
}

/** The first problem of a JSON text, or null when it is empty or fine. */
export function jsonProblem(text: string, check?: (value: unknown) => SchemaProblem[]): string | null {
  const parsed = parseJson(text);
  if (parsed.error) return parsed.error;
  if (parsed.value === undefined || !check) return null;
  const problems = check(parsed.value);
  if (!problems.length) return null;
  const first = problems[0];
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : "";
  return `${first.path ? `${first.path}: ` : ""}${first.message}${more}`;
}
