import type { Deployment, DeploymentCreate, DeploymentUpdate, Kind, PipelineKind } from "../../api/registry";
import type { FieldProblem } from "../../api/errors";
import { checkCron } from "../../components/cron";
import { paramProblems, type Params } from "../../components/params";
import type { JsonSchema } from "../../components/jsonSchema";

export interface DeploymentForm {
  name: string;
  description: string;
  model_id: string;
  target: "alias" | "version";
  alias: string;
  version: number | "";
  kind: PipelineKind | "";
  dataset_id: string | null;
  params: Params;
  schedule: string;
  timezone: string;
}

export type DeploymentErrors = Partial<Record<keyof DeploymentForm | "form", string>>;

const NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,98}[A-Za-z0-9._-]$/;
const ALIAS = /^[a-z][a-z0-9_-]{0,39}$/;

export function validateDeployment(form: DeploymentForm, kind: Kind | undefined): DeploymentErrors {
  const errors: DeploymentErrors = {};
  if (!form.name.trim()) errors.name = "Name the deployment";
  else if (!NAME.test(form.name.trim())) errors.name = "2–100 characters: letters, digits, spaces, '.', '_' or '-'";
  if (!form.model_id) errors.model_id = "Choose the model to run";
  if (form.target === "alias" && !ALIAS.test(form.alias)) errors.alias = "Choose an alias (champion, latest …)";
  if (form.target === "version" && form.version === "") errors.version = "Choose a version";
  if (!form.kind) errors.kind = "Choose a pipeline";
  else if (kind && !kind.available) errors.kind = `${form.kind} is not available on this server yet`;
  if (kind?.needs_dataset && !form.dataset_id) errors.dataset_id = "This pipeline reads a dataset: choose one";
  const cron = checkCron(form.schedule);
  if (cron) errors.schedule = cron;
  const params = paramProblems(kind?.params_schema as JsonSchema | undefined, form.params);
  const first = Object.entries(params)[0];
  if (first) errors.params = `${first[0] === "_" ? "" : `${first[0]}: `}${first[1]}`;
  return errors;
}

export function toCreate(form: DeploymentForm): DeploymentCreate {
  return {
    name: form.name.trim(),
    description: form.description.trim() || undefined,
    model_id: form.model_id,
    kind: form.kind as PipelineKind,
    ...(form.target === "alias" ? { alias: form.alias } : { version: Number(form.version) }),
    dataset_id: form.dataset_id ?? undefined,
    params: form.params,
    schedule: form.schedule.trim() || undefined,
    timezone: form.timezone,
  };
}

export function toUpdate(form: DeploymentForm, original: Deployment): DeploymentUpdate {
  const body: DeploymentUpdate = { revision: original.revision };
  if (form.name.trim() !== original.name) body.name = form.name.trim();
  if ((form.description.trim() || null) !== (original.description ?? null)) body.description = form.description.trim() || null;
  if (form.model_id !== original.model_id) body.model_id = form.model_id;
  if (form.target === "alias" && form.alias !== original.alias) Object.assign(body, { alias: form.alias, version: null });
  if (form.target === "version" && Number(form.version) !== original.version) Object.assign(body, { version: Number(form.version), alias: null });
  if ((form.dataset_id ?? null) !== (original.dataset_id ?? null)) body.dataset_id = form.dataset_id;
  if (JSON.stringify(form.params) !== JSON.stringify(original.params ?? {})) body.params = form.params;
  if ((form.schedule.trim() || null) !== (original.schedule ?? null)) body.schedule = form.schedule.trim() || null;
  if (form.timezone !== original.timezone) body.timezone = form.timezone;
  return body;
}

export function fromDeployment(d: Deployment): DeploymentForm {
  return {
    name: d.name,
    description: d.description ?? "",
    model_id: d.model_id,
    target: d.alias ? "alias" : "version",
    alias: d.alias ?? "champion",
    version: d.version ?? "",
    kind: d.kind,
    dataset_id: d.dataset_id ?? null,
    params: d.params ?? {},
    schedule: d.schedule ?? "",
    timezone: d.timezone,
  };
}

/** The server's 422/409 problems on the form: `params.<name>` go to the parameter, the rest to their field. */
export function mapServerProblems(problems: FieldProblem[]): { fields: DeploymentErrors; params: Record<string, string> } {
  const fields: DeploymentErrors = {};
  const params: Record<string, string> = {};
  for (const { field, message } of problems) {
    if (field.startsWith("params.")) params[field.slice(7).split(".")[0]] ??= message;
    else if (field === "params") params._ ??= message;
    else {
      const key = (field.split(".")[0] || "form") as keyof DeploymentErrors;
      fields[key] ??= message;
    }
  }
  if (Object.keys(params).length && !fields.params) fields.params = Object.entries(params).map(([k, m]) => (k === "_" ? m : `${k}: ${m}`))[0];
  return { fields, params };
}
