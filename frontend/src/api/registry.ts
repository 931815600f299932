/**
 * Registry, deployments and executions through the generated client (`make frontend-gen`): a
 * backend change that breaks a page fails the type-check. Pages still guard each feature with a
 * friendly state when a server without it answers 404.
 */
import { api, unwrap } from "./client";
import type { components, operations } from "./schema";

type Schemas = components["schemas"];
type ModelListQuery = NonNullable<operations["list_models_api_models_get"]["parameters"]["query"]>;

export type Model = Schemas["ModelOut"];
export type ModelSummary = Schemas["ModelSummary"];
export type ModelCreate = Schemas["ModelCreate"];
export type ModelVersion = Schemas["VersionOut"];
export type FacetValue = Schemas["FacetValue"];
export type Facets = Schemas["FacetsOut"];
export type Framework = Schemas["Framework"];
export type TaskType = Schemas["TaskType"];
/** The catalog's search and facet filters (everything of the list query but paging and sort). */
export type ModelFilters = Omit<ModelListQuery, "sort" | "limit" | "cursor">;

export const FRAMEWORKS: Framework[] = ["sklearn", "pytorch", "tensorflow", "xgboost", "lightgbm", "onnx", "mlflow", "other"];
export const TASK_TYPES: TaskType[] = ["classification", "regression", "forecasting", "clustering", "ranking", "nlp", "vision", "other"];

/** Facet name in `/api/models/facets` → the list filter it drives (repeatable query parameter). */
export const FACET_FIELDS = [
  { facet: "department", param: "department", label: "Department" },
  { facet: "geography", param: "geography", label: "Geography" },
  { facet: "framework", param: "framework", label: "Framework" },
  { facet: "task_type", param: "task_type", label: "Task" },
  { facet: "tags", param: "tag", label: "Tags" },
  { facet: "owner", param: "owner", label: "Owner" },
] as const;

export type FacetParam = (typeof FACET_FIELDS)[number]["param"];

export type Deployment = Schemas["DeploymentOut"];
export type Execution = Schemas["ExecutionOut"];
export type PipelineKind = Schemas["PipelineKind"];
export type ExecutionStatus = Schemas["ExecutionStatus"];
type DeploymentListQuery = NonNullable<operations["list_deployments_api_deployments_get"]["parameters"]["query"]>;
type ExecutionListQuery = NonNullable<operations["list_executions_api_executions_get"]["parameters"]["query"]>;

export const PIPELINE_KINDS: PipelineKind[] = ["batch_scoring", "training", "evaluation", "monitoring"];
export const EXECUTION_STATUSES: ExecutionStatus[] = ["queued", "running", "success", "failed", "cancelled"];

export const registryApi = {
  models: (query: ModelListQuery) => unwrap(api.GET("/api/models", { params: { query } })),
  facets: (query: ModelFilters) => unwrap(api.GET("/api/models/facets", { params: { query } })),
  model: (id: string) => unwrap(api.GET("/api/models/{model_id}", { params: { path: { model_id: id } } })),
  versions: (id: string, query: { cursor?: string | null; limit?: number }) =>
    unwrap(api.GET("/api/models/{model_id}/versions", { params: { path: { model_id: id }, query } })),
  createModel: (body: ModelCreate) => unwrap(api.POST("/api/models", { body })),
  deployments: (query: DeploymentListQuery) => unwrap(api.GET("/api/deployments", { params: { query } })),
  executions: (query: ExecutionListQuery) => unwrap(api.GET("/api/executions", { params: { query } })),
};
