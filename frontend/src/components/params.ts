import { validateAgainst, type JsonSchema } from "./jsonSchema";

export type Params = Record<string, unknown>;

/** The non-null type of a property (`anyOf: [X, {type: null}]` reads as X). */
export function fieldSchema(schema: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  if (schema.anyOf) {
    const rest = schema.anyOf.filter((s) => s.type !== "null");
    if (rest.length === 1) return { schema: { ...rest[0], default: schema.default, description: schema.description }, nullable: true };
  }
  return { schema, nullable: false };
}

export function typeName(schema: JsonSchema): string | undefined {
  return Array.isArray(schema.type) ? schema.type[0] : schema.type;
}

/** Problems per parameter name, from the kind's schema (the server checks again). */
export function paramProblems(schema: JsonSchema | null | undefined, params: Params): Record<string, string> {
  if (!schema) return {};
  const out: Record<string, string> = {};
  for (const p of validateAgainst(schema, params)) {
    const key = p.path.split(".")[0] || "_";
    out[key] ??= p.message;
  }
  return out;
}

