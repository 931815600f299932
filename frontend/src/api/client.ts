import createClient from "openapi-fetch";
import type { paths } from "./schema";
import { ApiError } from "./errors";
import { emitUnauthorized, getTokenSource } from "./session";

function origin(): string {
  return typeof window !== "undefined" ? window.location.origin : "http://localhost";
}

/** Paths whose 401 means "wrong credentials", not "session expired". */
const AUTH_PATHS = ["/api/auth/token", "/api/auth/config"];

function withToken(request: Request): Request {
  const token = getTokenSource()?.accessToken();
  if (!token) return request;
  const headers = new Headers(request.headers);
  headers.set("Authorization", `Bearer ${token}`);
  return new Request(request, { headers });
}

async function send(request: Request): Promise<Response> {
  try {
    return await globalThis.fetch(withToken(request));
  } catch (cause) {
    throw ApiError.network(cause);
  }
}

/**
 * fetch with the bearer token; on 401 it refreshes once and retries, and when that does not
 * help it tells the auth provider, which sends the user to the login page (and back afterwards).
 */
export async function authFetch(request: Request): Promise<Response> {
  const retry = request.clone();
  const response = await send(request);
  const path = new URL(request.url).pathname;
  if (response.status !== 401 || AUTH_PATHS.includes(path)) return response;
  const source = getTokenSource();
  if (source && (await source.refresh().catch(() => false))) {
    const again = await send(retry);
    if (again.status !== 401) return again;
  }
  emitUnauthorized();
  return response;
}

/** The typed client generated from the backend's OpenAPI (`npm run gen:api`). */
export const api = createClient<paths>({ baseUrl: origin(), fetch: authFetch });

type Result<T> = { data?: T; error?: unknown; response: Response };

/** Await an openapi-fetch call and return its data, or throw an ApiError. */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok || error !== undefined) throw ApiError.fromBody(response.status, error);
  return data as T;
}

export type Query = Record<string, string | number | boolean | null | undefined | string[]>;

export function toSearch(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "") continue;
    if (Array.isArray(value)) value.forEach((v) => params.append(key, v));
    else params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

/**
 * For endpoints the generated schema does not describe yet (DESIGN.md section 8 shapes, typed by
 * hand in ./registry.ts): same auth, refresh and error handling as `api`.
 */
export async function requestJson<T>(method: string, path: string, query?: Query, body?: unknown): Promise<T> {
  const init: RequestInit = { method, headers: { Accept: "application/json" } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { ...init.headers, "Content-Type": "application/json" };
  }
  const response = await authFetch(new Request(`${origin()}${path}${toSearch(query)}`, init));
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!response.ok) throw ApiError.fromBody(response.status, parsed);
  return parsed as T;
}

export const getJson = <T,>(path: string, query?: Query) => requestJson<T>("GET", path, query);
