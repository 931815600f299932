import { describe, expect, it } from "vitest";
import { ApiError } from "../../api/errors";
import {
  buildRecord,
  curlCommand,
  hasReference,
  pythonSnippet,
  randomValues,
  recordFields,
  recordProblems,
  referenceHint,
  typicalValues,
} from "./predictForm";

const SCHEMA = {
  type: "object",
  properties: {
    tenure: { type: "integer", description: "months as a customer" },
    monthly_spend: { type: "number" },
    plan: { type: "string", enum: ["basic", "premium"] },
    rating: { type: "integer", enum: [1, 2, 3] },
    promo: { type: "boolean" },
    city: { anyOf: [{ type: "string" }, { type: "null" }] },
  },
  required: ["tenure", "monthly_spend", "plan"],
};

const percentiles = Array.from({ length: 101 }, (_v, i) => i); // the value at percentile i is i
const STATS = {
  format: 1,
  rows: 400,
  columns: {
    tenure: { type: "numeric", percentiles, mean: 50.2 },
    monthly_spend: { type: "numeric", percentiles: percentiles.map((p) => p / 2) },
    plan: { type: "categorical", counts: { basic: 10, premium: 30, __other__: 99 } },
    rating: { type: "numeric", percentiles: percentiles.map(() => 2) },
    promo: { type: "categorical", counts: { True: 3, False: 1 } },
  },
};

describe("record fields", () => {
  it("reads kinds, required and descriptions from the input schema", () => {
    const fields = recordFields(SCHEMA);
    expect(fields.map((f) => [f.name, f.kind, f.required])).toEqual([
      ["tenure", "integer", true],
      ["monthly_spend", "number", true],
      ["plan", "choice", true],
      ["rating", "choice", false],
      ["promo", "boolean", false],
      ["city", "string", false],
    ]);
    expect(fields[0].description).toBe("months as a customer");
    expect(recordFields(null)).toEqual([]);
    expect(recordFields({ type: "object" })).toEqual([]);
  });

  it("builds a typed record and names each field that cannot be sent", () => {
    const fields = recordFields(SCHEMA);
    expect(buildRecord(fields, { tenure: "12", monthly_spend: "42.5", plan: '"premium"', rating: "3", promo: true, city: "Lyon" })).toEqual({
      record: { tenure: 12, monthly_spend: 42.5, plan: "premium", rating: 3, promo: true, city: "Lyon" },
      errors: {},
    });
    // optional fields left empty are not sent; required ones are named
    const missing = buildRecord(fields, { tenure: "1.5", monthly_spend: "abc" });
    expect(missing.errors).toEqual({
      tenure: "Must be a whole number",
      monthly_spend: "Must be a number",
      plan: expect.stringMatching(/^Required/),
    });
    expect(buildRecord(fields, { tenure: "3", monthly_spend: "0", plan: '"basic"' }).record).toEqual({ tenure: 3, monthly_spend: 0, plan: "basic" });
  });
});

describe("values from the reference statistics", () => {
  const fields = recordFields(SCHEMA);

  it("typical values: the median of numbers, the most frequent category, enum options typed", () => {
    expect(hasReference(fields, STATS)).toBe(true);
    expect(hasReference(fields, null)).toBe(false);
    const typical = typicalValues(fields, STATS);
    expect(typical).toEqual({ tenure: "50", monthly_spend: "25", plan: '"premium"', rating: "2", promo: true });
    expect(buildRecord(fields, typical).record).toEqual({ tenure: 50, monthly_spend: 25, plan: "premium", rating: 2, promo: true });
  });

  it("random values follow the percentiles and the category counts", () => {
    const low = randomValues(fields, STATS, () => 0);
    const high = randomValues(fields, STATS, () => 0.999);
    expect(low.tenure).toBe("0");
    expect(Number(high.tenure)).toBeGreaterThanOrEqual(99);
    expect(Number(high.monthly_spend)).toBeLessThanOrEqual(50);
    expect(low.plan).toBe('"premium"'); // counts sorted, most frequent first: the first draw lands on it
    expect(high.plan).toBe('"basic"');
    const { errors } = buildRecord(fields, randomValues(fields, STATS, () => 0.37));
    expect(errors).toEqual({});
  });

  it("hints say what the training data looked like", () => {
    expect(referenceHint(fields[0], STATS)).toBe("typical 50 · 90 % within 5 – 95");
    expect(referenceHint(fields[2], STATS)).toBe("most frequent: premium, basic");
    expect(referenceHint(fields[5], STATS)).toBeUndefined();
  });
});

describe("the same request as code", () => {
  const body = { records: [{ name: "O'Brien", promo: true, city: null }] };

  it("curl quotes the body for a shell", () => {
    const command = curlCommand("http://h:8000", "Churn model", { alias: "champion" }, true, body);
    expect(command).toContain("'http://h:8000/api/models/Churn%20model/predict?alias=champion&probabilities=true'");
    expect(command).toContain(`-d '{"records":[{"name":"O'\\''Brien","promo":true,"city":null}]}'`);
    expect(command).toContain("Bearer $MODELHUB_TOKEN");
  });

  it("Python writes Python literals", () => {
    const code = pythonSnippet("http://h:8000", "m1", { version: 3 }, false, body);
    expect(code).toContain('params={"version": 3}');
    expect(code).toContain('"promo": True');
    expect(code).toContain('"city": None');
    expect(code).toContain('"http://h:8000/api/models/m1/predict"');
  });
});

it("reads the record and field of each problem in a 422", () => {
  const error = new ApiError(422, "validation_error", "records[0].tenure must be integer", [
    { field: "records[0].tenure", record: 0, name: "tenure", message: "must be integer" },
    { field: "records[1]", record: 1, name: null, message: "must be an object" },
  ]);
  expect(recordProblems(error)).toEqual([
    { record: 0, name: "tenure", message: "must be integer" },
    { record: 1, name: null, message: "must be an object" },
  ]);
  expect(recordProblems(new Error("x"))).toEqual([]);
});
