import type { Framework, Model, ModelCreate, ModelUpdate, TaskType } from "../../api/registry";
import { checkSchemaShape, parseJson } from "../../components/jsonSchema";

export interface ModelForm {
  name: string;
  description: string;
  department: string;
  geography: string;
  owner: string;
  framework: Framework;
  task_type: TaskType;
  tags: string[];
  /** JSON text; empty = not described */
  input_schema: string;
  output_schema: string;
  documentation: string;
}

export type ModelErrors = Partial<Record<keyof ModelForm, string>>;

export const EMPTY_MODEL: ModelForm = {
  name: "",
  description: "",
  department: "",
  geography: "",
  owner: "",
  framework: "sklearn",
  task_type: "classification",
  tags: [],
  input_schema: "",
  output_schema: "",
  documentation: "",
};

// the backend's rules (modelhub/models/schemas.py)
const NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,98}[A-Za-z0-9._-]$/;
const NAME_CHAR = /[A-Za-z0-9 ._-]/;
const ID_LIKE = /^[0-9a-f]{32}$/;
const TAG = /^[a-z0-9][a-z0-9 ._:+-]{0,49}$/;
const OWNER = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$/;

export const NAME_RULE = "2–100 characters: letters, digits, spaces, '.', '_' or '-'; starts with a letter or digit";

export function splitTags(text: string): string[] {
  return [...new Set(text.split(",").map((t) => t.trim().toLowerCase()).filter(Boolean))];
}

/** What is wrong with a name as it is typed, or null. Names the offending characters. */
export function nameProblem(raw: string): string | null {
  const name = raw.trim();
  if (!name) return "Give the model a name";
  const bad = [...new Set([...name].filter((c) => !NAME_CHAR.test(c)))];
  if (bad.length) return `Not allowed: ${bad.map((c) => `"${c}"`).join(" ")} — ${NAME_RULE}`;
  if (!/^[A-Za-z0-9]/.test(name)) return "Start with a letter or a digit";
  if (name.length < 2) return "At least 2 characters";
  if (name.length > 100) return `At most 100 characters (now ${name.length})`;
  if (ID_LIKE.test(name)) return "32 hexadecimal digits read like a model id: choose another name";
  if (!NAME.test(name)) return NAME_RULE;
  return null;
}

export function tagProblem(tag: string): string | null {
  return TAG.test(tag) ? null : `"${tag}" is not a valid tag: lower-case letters, digits and ' ._:+-', up to 50 characters`;
}

function schemaProblem(text: string): string | null {
  const parsed = parseJson(text);
  if (parsed.error) return parsed.error;
  if (parsed.value === undefined) return null;
  const problems = checkSchemaShape(parsed.value);
  return problems.length ? `${problems[0].path ? `${problems[0].path}: ` : ""}${problems[0].message}` : null;
}

/** Input/output schemas: checked as JSON Schema while typing. */
export const checkJsonSchema = checkSchemaShape;

export function validateModel(form: ModelForm): ModelErrors {
  const errors: ModelErrors = {};
  const name = nameProblem(form.name);
  if (name) errors.name = name;
  const badTag = form.tags.map(tagProblem).find(Boolean);
  if (badTag) errors.tags = badTag;
  if (form.tags.length > 30) errors.tags = "At most 30 tags";
  if (form.description.length > 5000) errors.description = "At most 5,000 characters";
  if (form.department.trim().length > 100) errors.department = "At most 100 characters";
  if (form.geography.trim().length > 100) errors.geography = "At most 100 characters";
  if (form.owner.trim() && !OWNER.test(form.owner.trim())) errors.owner = "A username: letters, digits, '.', '_', '@' or '-'";
  for (const key of ["input_schema", "output_schema"] as const) {
    const problem = schemaProblem(form[key]);
    if (problem) errors[key] = problem;
  }
  if (form.documentation.length > 200_000) errors.documentation = "At most 200,000 characters";
  return errors;
}

const optional = (v: string) => v.trim() || undefined;
const schemaOf = (text: string) => (parseJson(text).value as Record<string, unknown> | undefined) ?? undefined;

export function toCreateBody(form: ModelForm): ModelCreate {
  return {
    name: form.name.trim(),
    description: optional(form.description),
    department: optional(form.department),
    geography: optional(form.geography),
    owner: optional(form.owner),
    framework: form.framework,
    task_type: form.task_type,
    tags: form.tags,
    input_schema: schemaOf(form.input_schema),
    output_schema: schemaOf(form.output_schema),
    documentation: optional(form.documentation),
  };
}

/** Only the fields that changed, with the model's revision for the optimistic check. */
export function toUpdateBody(form: ModelForm, original: Model): ModelUpdate {
  const before = fromModel(original);
  const body: ModelUpdate = { version: original.version };
  const changed = (key: keyof ModelForm) => JSON.stringify(form[key]) !== JSON.stringify(before[key]);
  if (changed("name")) body.name = form.name.trim();
  for (const key of ["description", "department", "geography", "owner", "documentation"] as const)
    if (changed(key)) body[key] = form[key].trim() || null;
  if (changed("framework")) body.framework = form.framework;
  if (changed("task_type")) body.task_type = form.task_type;
  if (changed("tags")) body.tags = form.tags;
  if (changed("input_schema")) body.input_schema = schemaOf(form.input_schema) ?? null;
  if (changed("output_schema")) body.output_schema = schemaOf(form.output_schema) ?? null;
  return body;
}

export function fromModel(model: Model): ModelForm {
  const json = (v: unknown) => (v ? JSON.stringify(v, null, 2) : "");
  return {
    name: model.name,
    description: model.description ?? "",
    department: model.department ?? "",
    geography: model.geography ?? "",
    owner: model.owner ?? "",
    framework: model.framework,
    task_type: model.task_type,
    tags: model.tags ?? [],
    input_schema: json(model.input_schema),
    output_schema: json(model.output_schema),
    documentation: model.documentation ?? "",
  };
}

/** The server's field errors (422, 409 duplicate name) mapped onto the form's fields. */
export function serverFieldErrors(fields: Record<string, string>): { known: ModelErrors; other: string[] } {
  const known: ModelErrors = {};
  const other: string[] = [];
  for (const [field, message] of Object.entries(fields)) {
    if (field in EMPTY_MODEL) known[field as keyof ModelForm] ??= message;
    else other.push(`${field}: ${message}`);
  }
  return { known, other };
}
