import type { ReactElement } from "react";
import { CssBaseline, ThemeProvider } from "@mui/material";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import { MemoryRouter, Route, Routes } from "react-router";
import { vi } from "vitest";
import type { Me } from "../api/types";
import { AuthContext, type AuthContextValue } from "../auth/context";
import { theme } from "../theme";

const PERMISSIONS: Record<string, string[]> = {
  viewer: ["authenticated", "browse", "read_logs"],
  business_user: ["authenticated", "browse", "read_logs", "trigger_executions", "predict"],
  data_scientist: [
    "authenticated", "browse", "read_logs", "edit_models", "delete_models", "manage_deployments", "trigger_executions", "predict",
  ],
  admin: [
    "authenticated", "browse", "read_logs", "edit_models", "delete_models", "delete_any_model", "manage_deployments",
    "trigger_executions", "predict", "cancel_any_execution", "manage_users", "read_audit",
  ],
};

export function meFor(role: string): Me {
  return {
    id: `id-${role}`,
    username: role,
    name: `Test ${role}`,
    email: `${role}@example.com`,
    roles: [role],
    groups: [],
    permissions: PERMISSIONS[role],
    is_service: false,
  };
}

export function testQueryClient(): QueryClient {
  return new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: 0 }, mutations: { retry: false } } });
}

/** Render a page as a signed-in user of `role`, without the real auth provider. */
export function renderAs(role: string, ui: ReactElement, { route = "/", path = "*" } = {}) {
  const auth: AuthContextValue = {
    status: "authenticated",
    config: { mode: "builtin", issuer: "http://localhost/api/auth", audience: "modelhub-api" },
    me: meFor(role),
    signIn: vi.fn(),
    signInWithProvider: vi.fn(),
    completeProviderSignIn: vi.fn(),
    signOut: vi.fn(),
    retry: vi.fn(),
  };
  return render(
    <ThemeProvider theme={theme}>
      <CssBaseline />
      <QueryClientProvider client={testQueryClient()}>
        <AuthContext.Provider value={auth}>
          <MemoryRouter initialEntries={[route]}>
            <Routes>
              <Route path={path} element={ui} />
            </Routes>
          </MemoryRouter>
        </AuthContext.Provider>
      </QueryClientProvider>
    </ThemeProvider>,
  );
}

type Handler = (request: { method: string; url: URL; body: string }) => { status?: number; body?: unknown } | undefined;

/** Replace fetch: every call (a Request from the typed client, or url + init) goes to `handler`. */
export function mockFetch(handler: Handler) {
  const calls: { method: string; url: URL; body: string }[] = [];
  const fn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(new URL(String(input), "http://localhost"), init);
    const call = { method: request.method, url: new URL(request.url), body: await request.text() };
    calls.push(call);
    const answer = handler(call) ?? { status: 404, body: { error: { code: "not_found", message: "Not Found", details: null } } };
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
      status: answer.status ?? 200,
      headers: { "Content-Type": "application/json" },
    });
  });
  vi.stubGlobal("fetch", fn);
  return calls;
}
