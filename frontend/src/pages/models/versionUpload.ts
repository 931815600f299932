import type { ModelFormat } from "../../api/registry";
import type { SchemaProblem } from "../../components/jsonSchema";

/**
 * The format a file name suggests. `null` leaves it to the server, which tells it from the
 * content (a .pkl may be joblib or plain pickle, a .pt TorchScript or a state dict).
 */
export function formatFromName(name: string): { format: ModelFormat | null; hint: string } {
  const lower = name.toLowerCase();
  const ext = lower.includes(".") ? lower.slice(lower.lastIndexOf(".")) : "";
  switch (ext) {
    case ".skops":
      return { format: "skops", hint: "skops (scikit-learn, safe to load)" };
    case ".joblib":
      return { format: "joblib", hint: "joblib (pickle: runs code when loaded, only in workers)" };
    case ".onnx":
      return { format: "onnx", hint: "ONNX" };
    case ".pkl":
    case ".pickle":
      return { format: null, hint: "pickle or joblib: the server tells from the content" };
    case ".pt":
    case ".pth":
      return { format: null, hint: "TorchScript or a state dict: the server tells from the content" };
    case ".zip":
      return { format: null, hint: "a zip: MLflow model, skops or PyTorch archive, told from its content" };
    default:
      return { format: "other", hint: "unknown extension: stored as 'other' (never loaded by ModelHub)" };
  }
}

export function checkMetrics(value: unknown): SchemaProblem[] {
  if (!value || typeof value !== "object" || Array.isArray(value)) return [{ path: "", message: "metrics are a JSON object of numbers, like {\"auc\": 0.91}" }];
  return Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => typeof v !== "number" || !Number.isFinite(v))
    .map(([k]) => ({ path: k, message: "must be a finite number" }));
}

export function checkParams(value: unknown): SchemaProblem[] {
  return !value || typeof value !== "object" || Array.isArray(value)
    ? [{ path: "", message: "parameters are a JSON object, like {\"max_depth\": 6}" }]
    : [];
}

const ALIAS = /^[a-z][a-z0-9_-]{0,39}$/;
export const SUGGESTED_ALIASES = ["champion", "challenger"];

export function aliasProblem(alias: string): string | null {
  if (!alias) return "Name the alias";
  if (alias === "latest") return "latest always points to the newest version: it cannot be moved";
  return ALIAS.test(alias) ? null : "Lower-case letters, digits, '_' or '-', starting with a letter (up to 40)";
}
