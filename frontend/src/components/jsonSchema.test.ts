import { describe, expect, it } from "vitest";
import { checkSchemaShape, jsonProblem, parseJson, validateAgainst } from "./jsonSchema";

const BATCH = {
  type: "object",
  additionalProperties: false,
  properties: {
    id_column: { anyOf: [{ type: "string", minLength: 1 }, { type: "null" }] },
    features: { type: "array", items: { type: "string" }, minItems: 1, uniqueItems: true },
    batch_size: { type: "integer", minimum: 1, maximum: 1000000 },
  },
};

describe("the form-side JSON Schema checks", () => {
  it("accepts valid parameters and names each bad one", () => {
    expect(validateAgainst(BATCH, { id_column: null, features: ["a", "b"], batch_size: 10 })).toEqual([]);
    const problems = validateAgainst(BATCH, { batch_size: 0, features: ["a", "a"], colour: "red" });
    expect(problems.map((p) => p.path).sort()).toEqual(["batch_size", "colour", "features"]);
    expect(problems.find((p) => p.path === "batch_size")?.message).toBe("must be at least 1");
    expect(problems.find((p) => p.path === "colour")?.message).toMatch(/not a known parameter/);
  });

  it("flags what does not read as a JSON Schema", () => {
    expect(checkSchemaShape({ type: "object", properties: { a: { type: "integer" } } })).toEqual([]);
    expect(checkSchemaShape({ type: "object", properties: { a: { type: "int" } } })[0]).toMatchObject({ path: "properties.a.type" });
    expect(checkSchemaShape([1, 2])[0].message).toMatch(/is an object/);
  });

  it("says where JSON breaks", () => {
    expect(parseJson("").value).toBeUndefined();
    expect(parseJson('{"a": 1}').value).toEqual({ a: 1 });
    expect(parseJson('{\n  "a": 1,\n}').error).toMatch(/^Not valid JSON/);
    expect(jsonProblem('{"a": "x"}', () => [{ path: "a", message: "must be a number" }])).toBe("a: must be a number");
  });
});
