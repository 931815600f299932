import { authFetch } from "./client";
import { ApiError } from "./errors";

/** Downloads need the bearer token, so a plain link cannot do: fetch, then hand the blob to the browser. */
export async function downloadFile(path: string, filename: string): Promise<void> {
  const response = await authFetch(new Request(new URL(path, window.location.origin)));
  if (!response.ok) {
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      body = undefined;
    }
    throw ApiError.fromBody(response.status, body);
  }
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
