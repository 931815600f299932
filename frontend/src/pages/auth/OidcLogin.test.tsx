import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, Route, Routes } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AppProviders } from "../../AppProviders";
import { mockFetch, testQueryClient } from "../../test/utils";
import { LoginPage } from "./LoginPage";

const ISSUER = "http://sso.example.com/realms/modelhub";

afterEach(() => vi.unstubAllGlobals());

describe("login with an OpenID provider", () => {
  it("starts an authorization code flow with PKCE (S256) for the web client", async () => {
    const calls = mockFetch(({ url }) => {
      if (url.pathname === "/api/auth/config")
        return { body: { mode: "oidc", issuer: ISSUER, audience: "modelhub-api", web_client_id: "modelhub-web" } };
      if (url.href === `${ISSUER}/.well-known/openid-configuration`)
        return {
          body: {
            issuer: ISSUER,
            authorization_endpoint: `${ISSUER}/protocol/openid-connect/auth`,
            token_endpoint: `${ISSUER}/protocol/openid-connect/token`,
            jwks_uri: `${ISSUER}/protocol/openid-connect/certs`,
          },
        };
    });
    const assign = vi.fn();
    // jsdom cannot navigate: catch where the browser would be sent
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    Object.defineProperty(window, "location", { value: { ...window.location, origin: "http://localhost:3000", assign, replace: assign, pathname: "/login", href: "http://localhost:3000/login" }, configurable: true });
    render(
      <MemoryRouter initialEntries={["/login?next=%2Fmodels"]}>
        <AppProviders client={testQueryClient()}>
          <Routes>
            <Route path="/login" element={<LoginPage />} />
          </Routes>
        </AppProviders>
      </MemoryRouter>,
    );
    await userEvent.click(await screen.findByRole("button", { name: "Sign in with single sign-on" }));
    await waitFor(() => expect(assign).toHaveBeenCalled());
    const target = new URL(assign.mock.calls[0][0]);
    expect(target.origin + target.pathname).toBe(`${ISSUER}/protocol/openid-connect/auth`);
    expect(target.searchParams.get("response_type")).toBe("code");
    expect(target.searchParams.get("client_id")).toBe("modelhub-web");
    expect(target.searchParams.get("redirect_uri")).toBe("http://localhost:3000/auth/callback");
    expect(target.searchParams.get("code_challenge_method")).toBe("S256");
    expect(target.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(calls.some((c) => c.url.pathname === "/api/auth/token")).toBe(false);
  });
});
