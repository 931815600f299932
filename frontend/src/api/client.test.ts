import { afterEach, describe, expect, it, vi } from "vitest";
import { mockFetch } from "../test/utils";
import { api, unwrap } from "./client";
import { ApiError } from "./errors";
import { onUnauthorized, setTokenSource } from "./session";

afterEach(() => {
  vi.unstubAllGlobals();
  setTokenSource(null);
});

const ME = { id: "1", username: "viewer", roles: ["viewer"], groups: [], permissions: ["browse"], is_service: false };
const UNAUTHORIZED = { status: 401, body: { error: { code: "unauthorized", message: "token expired", details: null } } };

describe("the API client", () => {
  it("sends the bearer token", async () => {
    const calls: string[] = [];
    setTokenSource({ accessToken: () => "token-1", refresh: async () => false });
    vi.stubGlobal("fetch", async (request: Request) => {
      calls.push(request.headers.get("Authorization") ?? "");
      return new Response(JSON.stringify(ME), { headers: { "Content-Type": "application/json" } });
    });
    await unwrap(api.GET("/api/auth/me"));
    expect(calls).toEqual(["Bearer token-1"]);
  });

  it("refreshes once on a 401 and retries with the new token", async () => {
    let token = "old";
    setTokenSource({ accessToken: () => token, refresh: async () => ((token = "new"), true) });
    const seen: string[] = [];
    vi.stubGlobal("fetch", async (request: Request) => {
      const auth = request.headers.get("Authorization") ?? "";
      seen.push(auth);
      const ok = auth === "Bearer new";
      return new Response(JSON.stringify(ok ? ME : UNAUTHORIZED.body), { status: ok ? 200 : 401 });
    });
    expect((await unwrap(api.GET("/api/auth/me"))).username).toBe("viewer");
    expect(seen).toEqual(["Bearer old", "Bearer new"]);
  });

  it("ends the session when refreshing does not help", async () => {
    setTokenSource({ accessToken: () => "old", refresh: async () => false });
    mockFetch(() => UNAUTHORIZED);
    const ended = vi.fn();
    const unsubscribe = onUnauthorized(ended);
    await expect(unwrap(api.GET("/api/auth/me"))).rejects.toMatchObject({ status: 401 });
    expect(ended).toHaveBeenCalledTimes(1);
    unsubscribe();
  });

  it("does not treat wrong credentials at the token endpoint as an expired session", async () => {
    mockFetch(() => UNAUTHORIZED);
    const ended = vi.fn();
    const unsubscribe = onUnauthorized(ended);
    const { response } = await api.POST("/api/auth/token", {
      body: { username: "x", password: "y", grant_type: "password" },
      bodySerializer: (b) => new URLSearchParams(b as Record<string, string>).toString(),
    });
    expect(response.status).toBe(401);
    expect(ended).not.toHaveBeenCalled();
    unsubscribe();
  });

  it("turns a network failure into an ApiError that says what to do", async () => {
    vi.stubGlobal("fetch", async () => Promise.reject(new TypeError("Failed to fetch")));
    const error = await unwrap(api.GET("/api/health")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(0);
    expect((error as ApiError).message).toMatch(/Cannot reach the ModelHub server/);
  });
});

describe("ApiError field errors", () => {
  it("reads 422 lists, single fields and field lists", () => {
    const list = new ApiError(422, "validation_error", "bad", [
      { field: "email", message: "value is not a valid email address" },
      { field: "roles.0", message: "Input should be 'admin'" },
    ]);
    expect(list.fieldErrors()).toEqual({ email: "Value is not a valid email address", roles: "Input should be 'admin'" });
    expect(new ApiError(409, "duplicate", "a user named 'x' already exists", { field: "username" }).fieldErrors()).toEqual({
      username: "A user named 'x' already exists",
    });
    expect(new ApiError(409, "duplicate", "taken", { fields: ["name"] }).fieldErrors()).toEqual({ name: "Taken" });
    expect(new ApiError(500, "internal_error", "boom", { request_id: "r" }).fieldErrors()).toEqual({});
  });
});
