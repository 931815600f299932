/**
 * Multipart uploads with real progress. fetch() reports no upload progress, so this one call goes
 * through XMLHttpRequest, with the same bearer token, one refresh-and-retry on 401 and the same
 * ApiError as every other call. `abort()` cancels: the server sees a cut body and keeps nothing.
 */
import { ApiError } from "./errors";
import { emitUnauthorized, getTokenSource } from "./session";

export interface UploadProgress {
  loaded: number;
  total: number;
  /** 0–100, or null while the browser does not know the total */
  percent: number | null;
}

export interface UploadHandle<T> {
  promise: Promise<T>;
  abort(): void;
}

export class UploadCancelled extends Error {
  constructor() {
    super("The upload was cancelled");
    this.name = "UploadCancelled";
  }
}

export function isUploadCancelled(error: unknown): error is UploadCancelled {
  return error instanceof UploadCancelled;
}

function send<T>(
  url: string,
  form: FormData,
  onProgress: (p: UploadProgress) => void,
  register: (xhr: XMLHttpRequest) => void,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    register(xhr);
    xhr.open("POST", url);
    xhr.setRequestHeader("Accept", "application/json");
    const token = getTokenSource()?.accessToken();
    if (token) xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    xhr.upload.onprogress = (e) =>
      onProgress({ loaded: e.loaded, total: e.total, percent: e.lengthComputable && e.total ? Math.round((e.loaded / e.total) * 100) : null });
    xhr.onload = () => {
      let body: unknown = undefined;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
      } catch {
        body = undefined;
      }
      resolve({ status: xhr.status, body: body as T });
    };
    xhr.onerror = () => reject(ApiError.network(new Error("XMLHttpRequest failed")));
    xhr.onabort = () => reject(new UploadCancelled());
    xhr.send(form);
  });
}

/** POST `form` to `path` (same origin); resolves with the JSON body, rejects with ApiError or UploadCancelled. */
export function uploadForm<T>(path: string, form: FormData, onProgress: (p: UploadProgress) => void = () => {}): UploadHandle<T> {
  let current: XMLHttpRequest | null = null;
  let aborted = false;
  const register = (xhr: XMLHttpRequest) => {
    current = xhr;
  };
  const promise = (async () => {
    let answer = await send<T>(path, form, onProgress, register);
    if (answer.status === 401 && !aborted) {
      const source = getTokenSource();
      if (source && (await source.refresh().catch(() => false))) {
        onProgress({ loaded: 0, total: 0, percent: 0 });
        answer = await send<T>(path, form, onProgress, register);
      }
      if (answer.status === 401) emitUnauthorized();
    }
    if (answer.status < 200 || answer.status >= 300) throw ApiError.fromBody(answer.status, answer.body);
    return answer.body as T;
  })();
  return {
    promise,
    abort: () => {
      aborted = true;
      current?.abort();
    },
  };
}

/** Explain the upload refusals a user can act on (too large, bad field, wrong format). */
export function describeUploadError(error: unknown, limitHint?: string): string {
  if (isUploadCancelled(error)) return "Upload cancelled: nothing was stored.";
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : "The upload failed.";
  switch (error.status) {
    case 413:
      return `The file is larger than this server accepts${limitHint ? ` (${limitHint})` : ""}: ${error.message}. Nothing was stored; ask an administrator to raise the limit, or upload a smaller file.`;
    case 415:
      return "The server expected a multipart form upload. Reload the page and try again.";
    case 422:
      return `The server refused the version: ${error.message}. Fix the field shown and upload again; nothing was stored.`;
    case 0:
      return `${error.message} Nothing was stored; upload again when the connection is back.`;
    default:
      return error.message;
  }
}
