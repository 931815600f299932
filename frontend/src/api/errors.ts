/** One error type for every failed call: the backend's `{error: {code, message, details}}` or a network failure. */

export interface FieldProblem {
  field: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
  }

  static fromBody(status: number, body: unknown): ApiError {
    const error = (body as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
    if (error && typeof error.message === "string") {
      return new ApiError(status, error.code ?? "error", error.message, error.details);
    }
    // FastAPI's default shape, or something in front of the API (proxy) answering.
    const detail = (body as { detail?: unknown } | undefined)?.detail;
    const message = typeof detail === "string" ? detail : `The server answered ${status}`;
    return new ApiError(status, status === 404 ? "not_found" : "http_error", message, undefined);
  }

  static network(cause: unknown): ApiError {
    const error = new ApiError(
      0,
      "network_error",
      "Cannot reach the ModelHub server. Check your connection or that the server is running, then try again.",
    );
    (error as { cause?: unknown }).cause = cause;
    return error;
  }

  /** Problems attached to named fields: 422 lists, or a single `{field}` / `{fields: [...]}` detail. */
  get fieldProblems(): FieldProblem[] {
    const details = this.details;
    if (Array.isArray(details)) {
      return details
        .filter((d): d is { field: string; message?: string; msg?: string } => !!d && typeof d.field === "string")
        .map((d) => ({ field: d.field, message: cleanMessage(d.message ?? d.msg ?? this.message) }));
    }
    if (details && typeof details === "object") {
      const one = (details as { field?: unknown }).field;
      if (typeof one === "string") return [{ field: one, message: cleanMessage(this.message) }];
      const many = (details as { fields?: unknown }).fields;
      if (Array.isArray(many)) return many.map((f) => ({ field: String(f), message: cleanMessage(this.message) }));
    }
    return [];
  }

  /** Field name → message, for forms; the first problem of a field wins. */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const p of this.fieldProblems) {
      const key = p.field.split(".")[0];
      if (!(key in out)) out[key] = p.message;
    }
    return out;
  }
}

function cleanMessage(message: string): string {
  // pydantic says "Value error, ..." or "String should match pattern '...'"; keep it readable.
  const text = message.replace(/^Value error, /, "");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

/** A feature whose API this server does not offer yet answers 404 on its collection path. */
export function isUnavailable(error: unknown): boolean {
  return isApiError(error) && error.status === 404;
}

/** A title and a sentence that tell the user what happened and what to do next. */
export function describeError(error: unknown): { title: string; message: string; requestId?: string } {
  if (!isApiError(error)) {
    return {
      title: "Something went wrong",
      message: error instanceof Error ? error.message : "An unexpected error occurred. Reload the page and try again.",
    };
  }
  const requestId =
    error.details && typeof error.details === "object" && "request_id" in error.details
      ? String((error.details as { request_id: unknown }).request_id)
      : undefined;
  switch (true) {
    case error.status === 0:
      return { title: "Server unreachable", message: error.message };
    case error.status === 401:
      return { title: "Signed out", message: "Your session has ended. Sign in again to continue." };
    case error.status === 403:
      return {
        title: "Not allowed",
        message: `${error.message}. Your role does not include this action; ask an administrator if you need it.`,
      };
    case error.status === 404:
      return { title: "Not found", message: error.message };
    case error.status === 429:
      return { title: "Too many attempts", message: `${error.message}. Wait a moment, then try again.` };
    case error.status === 503:
      return {
        title: "A dependency is unavailable",
        message: `${error.message}. The server recovers by itself when it comes back; try again in a moment.`,
      };
    case error.status >= 500:
      return {
        title: "The server had a problem",
        message: `${error.message}. Try again; if it keeps happening, report it${requestId ? " with the request id below" : ""}.`,
        requestId,
      };
    default:
      return { title: "The request was refused", message: error.message };
  }
}
