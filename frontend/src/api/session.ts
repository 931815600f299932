/**
 * The bridge between the API client (outside React) and the auth provider: where the current
 * access token comes from, how to refresh it, and who to tell when the session is gone.
 */

export interface TokenSource {
  /** The access token to send, or null when signed out. */
  accessToken(): string | null;
  /** Get a fresh access token; resolves true when one is available. */
  refresh(): Promise<boolean>;
}

let source: TokenSource | null = null;
const listeners = new Set<() => void>();

export function setTokenSource(next: TokenSource | null): void {
  source = next;
}

export function getTokenSource(): TokenSource | null {
  return source;
}

/** Subscribe to "the server said 401 and refreshing did not help"; returns the unsubscribe function. */
export function onUnauthorized(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function emitUnauthorized(): void {
  for (const listener of [...listeners]) listener();
}
