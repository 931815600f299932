/**
 * The "Try a prediction" card's logic, kept out of the component so it is tested on its own: the
 * fields of one record from the input JSON Schema, typed values from what people type, typical and
 * random records from the version's drift reference statistics, and the same request as code.
 */
import { isApiError } from "../../api/errors";
import { fieldSchema, typeName } from "../../components/params";
import type { JsonSchema } from "../../components/jsonSchema";

export type FieldKind = "number" | "integer" | "boolean" | "string" | "choice";

export interface RecordField {
  name: string;
  kind: FieldKind;
  required: boolean;
  description?: string;
  /** `enum` values, for `choice` fields */
  options?: unknown[];
  minimum?: number;
  maximum?: number;
}

/** What the form holds per field: text as typed, a boolean, or the JSON text of an enum option. */
export type FormValues = Record<string, string | boolean>;

/** The fields of one record, in the schema's order; [] when the schema lists no properties. */
export function recordFields(schema: JsonSchema | null | undefined): RecordField[] {
  const properties = schema?.properties ?? {};
  const required = new Set(schema?.required ?? []);
  return Object.entries(properties).map(([name, raw]) => {
    const { schema: sub } = fieldSchema(raw);
    const type = typeName(sub);
    const kind: FieldKind = sub.enum?.length
      ? "choice"
      : type === "number" || type === "integer" || type === "boolean"
        ? type
        : "string";
    return {
      name,
      kind,
      required: required.has(name),
      description: raw.description ?? sub.description,
      options: sub.enum,
      minimum: sub.minimum,
      maximum: sub.maximum,
    };
  });
}

/** One record from the form, or the problem of each field that cannot be sent as typed. */
export function buildRecord(fields: RecordField[], values: FormValues): { record: Record<string, unknown>; errors: Record<string, string> } {
  const record: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const field of fields) {
    const value = values[field.name];
    if (field.kind === "boolean") {
      if (typeof value === "boolean") record[field.name] = value;
      else if (field.required) record[field.name] = false;
      continue;
    }
    const text = typeof value === "string" ? value : "";
    if (text.trim() === "" && field.kind !== "string") {
      if (field.required) errors[field.name] = "Required: fill it in, or use Typical values";
      continue;
    }
    if (field.kind === "choice") {
      record[field.name] = JSON.parse(text);
    } else if (field.kind === "number" || field.kind === "integer") {
      const n = Number(text);
      if (!Number.isFinite(n)) errors[field.name] = "Must be a number";
      else if (field.kind === "integer" && !Number.isInteger(n)) errors[field.name] = "Must be a whole number";
      else record[field.name] = n;
    } else if (text !== "" || field.required) {
      record[field.name] = text;
    }
  }
  return { record, errors };
}

type NumericStats = { type: "numeric"; mean?: number | null; min?: number | null; max?: number | null; percentiles?: number[] };
type CategoricalStats = { type: "categorical"; counts?: Record<string, number> };
type ColumnStats = NumericStats | CategoricalStats;

function columnsOf(stats: Record<string, unknown> | null | undefined): Record<string, ColumnStats> {
  const columns = stats?.columns;
  return columns && typeof columns === "object" ? (columns as Record<string, ColumnStats>) : {};
}

const OTHER = "__other__";

/** The categories of a column, most frequent first, without the "every other value" bucket. */
function categories(stats: CategoricalStats | NumericStats): [string, number][] {
  if (stats.type !== "categorical") return [];
  return Object.entries(stats.counts ?? {})
    .filter(([key]) => key !== OTHER)
    .sort((a, b) => b[1] - a[1]);
}

/** A reference category as the form's value for `field` (enum options are kept as JSON text). */
function categoryValue(field: RecordField, key: string): string | boolean | undefined {
  if (field.kind === "boolean") return key === "True" || key === "true" || key === "1";
  if (field.kind === "choice") {
    const option = field.options?.find((o) => String(o) === key || (typeof o === "boolean" && String(o) === key.toLowerCase()));
    return option === undefined ? undefined : JSON.stringify(option);
  }
  return key;
}

function numberValue(field: RecordField, n: number): string | boolean | undefined {
  if (field.kind === "boolean") return n >= 0.5;
  if (field.kind === "choice") {
    const option = field.options?.find((o) => o === n || o === Math.round(n));
    return option === undefined ? undefined : JSON.stringify(option);
  }
  return String(field.kind === "integer" ? Math.round(n) : n);
}

/** Whether the reference statistics know any of the fields (then Typical and Random are offered). */
export function hasReference(fields: RecordField[], stats: Record<string, unknown> | null | undefined): boolean {
  const columns = columnsOf(stats);
  return fields.some((f) => columns[f.name]);
}

/** Form values for the fields the reference statistics know, each picked from its column's statistics. */
function valuesFrom(
  fields: RecordField[],
  stats: Record<string, unknown> | null | undefined,
  pick: (field: RecordField, column: ColumnStats) => string | boolean | undefined,
): FormValues {
  const columns = columnsOf(stats);
  const out: FormValues = {};
  for (const field of fields) {
    const column = columns[field.name];
    const value = column ? pick(field, column) : undefined;
    if (value !== undefined) out[field.name] = value;
  }
  return out;
}

/** The training data's median of each numeric field and most frequent value of the others. */
export function typicalValues(fields: RecordField[], stats: Record<string, unknown> | null | undefined): FormValues {
  return valuesFrom(fields, stats, (field, column) => {
    if (column.type === "numeric") {
      const median = column.percentiles?.[50] ?? column.mean;
      return median === undefined || median === null ? undefined : numberValue(field, median);
    }
    const top = categories(column)[0];
    return top ? categoryValue(field, top[0]) : undefined;
  });
}

/** A record drawn from the training data's distribution of each field (its 101 percentiles, or its category counts). */
export function randomValues(fields: RecordField[], stats: Record<string, unknown> | null | undefined, random: () => number = Math.random): FormValues {
  return valuesFrom(fields, stats, (field, column) => {
    if (column.type === "numeric" && column.percentiles?.length) {
      const p = column.percentiles;
      const at = random() * (p.length - 1);
      const low = Math.floor(at);
      const high = Math.min(low + 1, p.length - 1);
      return numberValue(field, Number((p[low] + (p[high] - p[low]) * (at - low)).toPrecision(4)));
    }
    const counts = categories(column);
    const total = counts.reduce((sum, [, c]) => sum + c, 0);
    let draw = random() * total;
    const picked = counts.find(([, c]) => (draw -= c) < 0) ?? counts[counts.length - 1];
    return picked ? categoryValue(field, picked[0]) : undefined;
  });
}

/** 3 significant digits: a hint, not a value to copy (12.3456 → 12.3, 0.000123456 → 0.000123). */
const short = (n: number) => String(Number(n.toPrecision(3)));

/** What the training data looked like for a field, in a few words ("typical 12.5 · 90 % within 3–40"). */
export function referenceHint(field: RecordField, stats: Record<string, unknown> | null | undefined): string | undefined {
  const column = columnsOf(stats)[field.name];
  if (!column) return undefined;
  if (column.type === "numeric") {
    const p = column.percentiles;
    if (!p || p.length < 96) return undefined;
    return `typical ${short(p[50])} · 90 % within ${short(p[5])} – ${short(p[95])}`;
  }
  const top = categories(column).slice(0, 3);
  return top.length ? `most frequent: ${top.map(([k]) => k).join(", ")}` : undefined;
}

export type Target = { alias: string } | { version: number };

export function targetQuery(target: Target): { alias?: string; version?: number } {
  return "alias" in target ? { alias: target.alias } : { version: target.version };
}

function endpoint(origin: string, modelId: string, target: Target, probabilities: boolean): string {
  const query = new URLSearchParams(Object.entries(targetQuery(target)).map(([k, v]) => [k, String(v)]));
  if (probabilities) query.set("probabilities", "true");
  return `${origin}/api/models/${encodeURIComponent(modelId)}/predict?${query}`;
}

/** The same request for a terminal: curl with the token from `$MODELHUB_TOKEN`. */
export function curlCommand(origin: string, modelId: string, target: Target, probabilities: boolean, body: unknown): string {
  const json = JSON.stringify(body).replace(/'/g, "'\\''");
  return [
    `curl -X POST '${endpoint(origin, modelId, target, probabilities)}' \\`,
    `  -H "Authorization: Bearer $MODELHUB_TOKEN" -H 'Content-Type: application/json' \\`,
    `  -d '${json}'`,
  ].join("\n");
}

/** The same request from Python (httpx), the token from the MODELHUB_TOKEN environment variable. */
export function pythonSnippet(origin: string, modelId: string, target: Target, probabilities: boolean, body: unknown): string {
  const params: Record<string, unknown> = { ...targetQuery(target), ...(probabilities ? { probabilities: true } : {}) };
  const pyParams = Object.entries(params)
    .map(([k, v]) => `"${k}": ${typeof v === "string" ? JSON.stringify(v) : v === true ? "True" : String(v)}`)
    .join(", ");
  const pyBody = JSON.stringify(body, null, 4)
    .replace(/\btrue\b/g, "True")
    .replace(/\bfalse\b/g, "False")
    .replace(/\bnull\b/g, "None");
  return [
    "import os",
    "",
    "import httpx",
    "",
    "answer = httpx.post(",
    `    "${origin}/api/models/${encodeURIComponent(modelId)}/predict",`,
    `    params={${pyParams}},`,
    '    headers={"Authorization": f"Bearer {os.environ[\'MODELHUB_TOKEN\']}"},',
    `    json=${pyBody.replace(/\n/g, "\n    ")},`,
    ")",
    "answer.raise_for_status()",
    'print(answer.json()["predictions"])',
  ].join("\n");
}

export interface RecordProblem {
  record: number | null;
  name: string | null;
  message: string;
}

/** The problems a 422 names (record index and field), from the serving API's error details. */
export function recordProblems(error: unknown): RecordProblem[] {
  if (!isApiError(error) || !Array.isArray(error.details)) return [];
  return error.details
    .filter((d): d is { record?: number; name?: string; message?: string } => !!d && typeof d === "object")
    .map((d) => ({
      record: typeof d.record === "number" ? d.record : null,
      name: typeof d.name === "string" ? d.name : null,
      message: typeof d.message === "string" ? d.message : error.message,
    }));
}
