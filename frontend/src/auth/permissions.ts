/** Permission names of the backend (modelhub.auth.permissions); `/api/auth/me` lists the ones a user has. */
export type Permission =
  | "authenticated"
  | "browse"
  | "read_logs"
  | "edit_models"
  | "delete_models"
  | "delete_any_model"
  | "manage_deployments"
  | "trigger_executions"
  | "predict"
  | "cancel_any_execution"
  | "manage_users"
  | "read_audit";

export const PERMISSION_LABELS: Record<Permission, string> = {
  authenticated: "sign in",
  browse: "browse the registry",
  read_logs: "read execution logs",
  edit_models: "register and edit models",
  delete_models: "delete own models",
  delete_any_model: "delete any model",
  manage_deployments: "manage deployments",
  trigger_executions: "trigger executions",
  predict: "run online predictions and read the prediction log",
  cancel_any_execution: "cancel any execution",
  manage_users: "manage users",
  read_audit: "read the audit log",
};
