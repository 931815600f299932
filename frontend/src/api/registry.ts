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

export type ModelUpdate = Schemas["ModelUpdate"];
export type ModelFormat = Schemas["ModelFormat"];
export type Stage = Schemas["Stage"];
export type Lineage = Schemas["LineageOut"];
export type Dataset = Schemas["DatasetOut"];
export type Kind = Schemas["KindOut"];
export type SchedulePreview = Schemas["SchedulePreviewOut"];
export type DeploymentCreate = Schemas["DeploymentCreate"];
export type DeploymentUpdate = Schemas["DeploymentUpdate"];
export type Task = Schemas["TaskOut"];
export type LogChunk = Schemas["LogOut"];
export type LogLine = Schemas["LogLine"];
export type Result = Schemas["ResultOut"];
export type ModelEvent = Schemas["ModelEvent"];
export type ModelEventAction = Schemas["ModelEventAction"];
export type Prediction = Schemas["PredictOut"];
export type PredictionLogEntry = Schemas["PredictionLogEntry"];
type PredictOperation = operations["predict_api_models__model_id__predict_post"];
export type PredictBody = NonNullable<PredictOperation["requestBody"]>["content"]["application/json"];
export type PredictQuery = NonNullable<PredictOperation["parameters"]["query"]>;

export const MODEL_FORMATS: ModelFormat[] = ["skops", "joblib", "pickle", "torchscript", "torch_state_dict", "onnx", "mlflow", "other"];
export const STAGES: Stage[] = ["none", "staging", "production", "archived"];
/** Execution states after which nothing changes any more. */
export const FINAL_STATUSES: ExecutionStatus[] = ["success", "failed", "cancelled"];

const modelPath = (id: string) => ({ path: { model_id: id } });
const deploymentPath = (id: string) => ({ path: { deployment_id: id } });
const executionPath = (id: string) => ({ path: { execution_id: id } });

export const registryApi = {
  models: (query: ModelListQuery) => unwrap(api.GET("/api/models", { params: { query } })),
  facets: (query: ModelFilters) => unwrap(api.GET("/api/models/facets", { params: { query } })),
  model: (id: string) => unwrap(api.GET("/api/models/{model_id}", { params: { path: { model_id: id } } })),
  versions: (id: string, query: { cursor?: string | null; limit?: number }) =>
    unwrap(api.GET("/api/models/{model_id}/versions", { params: { path: { model_id: id }, query } })),
  createModel: (body: ModelCreate) => unwrap(api.POST("/api/models", { body })),
  deployments: (query: DeploymentListQuery) => unwrap(api.GET("/api/deployments", { params: { query } })),
  executions: (query: ExecutionListQuery) => unwrap(api.GET("/api/executions", { params: { query } })),

  /** `body.version` is the model's revision the edit is based on: a stale one answers 409. */
  updateModel: (id: string, body: ModelUpdate) =>
    unwrap(api.PATCH("/api/models/{model_id}", { params: modelPath(id), body })),
  version: (id: string, version: string | number) =>
    unwrap(api.GET("/api/models/{model_id}/versions/{version}", { params: { path: { model_id: id, version: String(version) } } })),
  lineage: (id: string, version: string | number) =>
    unwrap(
      api.GET("/api/models/{model_id}/versions/{version}/lineage", {
        params: { path: { model_id: id, version: String(version) } },
      }),
    ),
  setAlias: (id: string, alias: string, version: number) =>
    unwrap(api.PUT("/api/models/{model_id}/aliases/{alias}", { params: { path: { model_id: id, alias } }, body: { version } })),
  deleteAlias: (id: string, alias: string) =>
    unwrap(api.DELETE("/api/models/{model_id}/aliases/{alias}", { params: { path: { model_id: id, alias } } })),
  setStage: (id: string, version: number, stage: Stage) =>
    unwrap(
      api.PUT("/api/models/{model_id}/versions/{version}/stage", {
        params: { path: { model_id: id, version: String(version) } },
        body: { stage },
      }),
    ),
  history: (id: string, query: { action?: ModelEventAction[]; cursor?: string | null; limit?: number }) =>
    unwrap(api.GET("/api/models/{model_id}/history", { params: { path: { model_id: id }, query } })),
  /** Online predictions, answered by a serving worker (422 details name the record and the field). */
  predict: (id: string, body: PredictBody, query: PredictQuery) =>
    unwrap(api.POST("/api/models/{model_id}/predict", { params: { ...modelPath(id), query }, body })),
  predictionLog: (id: string, query: { version?: number; since?: string; limit?: number }) =>
    unwrap(api.GET("/api/models/{model_id}/predictions", { params: { ...modelPath(id), query } })),
  artifactUrl: (id: string, version: number) =>
    `/api/models/${encodeURIComponent(id)}/versions/${version}/artifact`,

  datasets: (query: { q?: string; limit?: number; cursor?: string | null }) =>
    unwrap(api.GET("/api/datasets", { params: { query } })),
  dataset: (id: string) => unwrap(api.GET("/api/datasets/{dataset_id}", { params: { path: { dataset_id: id } } })),

  kinds: () => unwrap(api.GET("/api/deployments/kinds")),
  /** Next run times of a schedule not saved yet (422 with the reason when it is invalid). */
  previewSchedule: (schedule: string, timezone: string, count = 5) =>
    unwrap(api.GET("/api/deployments/schedule-preview", { params: { query: { schedule, timezone, count } } })),
  deploymentPreview: (id: string, count = 5) =>
    unwrap(api.GET("/api/deployments/{deployment_id}/schedule-preview", { params: { ...deploymentPath(id), query: { count } } })),
  deployment: (id: string) => unwrap(api.GET("/api/deployments/{deployment_id}", { params: deploymentPath(id) })),
  createDeployment: (body: DeploymentCreate) => unwrap(api.POST("/api/deployments", { body })),
  /** `body.revision` is the revision the edit is based on: a stale one answers 409. */
  updateDeployment: (id: string, body: DeploymentUpdate) =>
    unwrap(api.PATCH("/api/deployments/{deployment_id}", { params: deploymentPath(id), body })),
  pause: (id: string) => unwrap(api.POST("/api/deployments/{deployment_id}/pause", { params: deploymentPath(id) })),
  resume: (id: string) => unwrap(api.POST("/api/deployments/{deployment_id}/resume", { params: deploymentPath(id) })),
  trigger: (id: string) =>
    unwrap(api.POST("/api/deployments/{deployment_id}/executions", { params: deploymentPath(id), body: {} })),

  execution: (id: string) => unwrap(api.GET("/api/executions/{execution_id}", { params: executionPath(id) })),
  cancel: (id: string) => unwrap(api.POST("/api/executions/{execution_id}/cancel", { params: executionPath(id) })),
  logs: (id: string, query: { task?: string; offset?: number }) =>
    unwrap(api.GET("/api/executions/{execution_id}/logs", { params: { ...executionPath(id), query } })),
  results: (id: string) => unwrap(api.GET("/api/executions/{execution_id}/results", { params: executionPath(id) })),
};
