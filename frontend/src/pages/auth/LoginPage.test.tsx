import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, Route, Routes } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AppProviders } from "../../AppProviders";
import { mockFetch, testQueryClient } from "../../test/utils";
import { LoginPage } from "./LoginPage";

const CONFIG = { mode: "builtin", issuer: "http://localhost/api/auth", audience: "modelhub-api" };

function renderLogin(route = "/login") {
  return render(
    <MemoryRouter initialEntries={[route]}>
      <AppProviders client={testQueryClient()}>
        <Routes>
          <Route path="/login" element={<LoginPage />} />
          <Route path="/models" element={<p>the models page</p>} />
          <Route path="/" element={<p>the home page</p>} />
        </Routes>
      </AppProviders>
    </MemoryRouter>,
  );
}

afterEach(() => vi.unstubAllGlobals());

describe("LoginPage", () => {
  it("asks for the missing fields without calling the server", async () => {
    const calls = mockFetch(({ url }) => (url.pathname === "/api/auth/config" ? { body: CONFIG } : undefined));
    renderLogin();
    await userEvent.click(await screen.findByRole("button", { name: "Sign in" }));
    expect(screen.getByText("Enter your username")).toBeInTheDocument();
    expect(screen.getByText("Enter your password")).toBeInTheDocument();
    expect(calls.filter((c) => c.url.pathname === "/api/auth/token")).toHaveLength(0);
  });

  it("shows the server's refusal of wrong credentials", async () => {
    mockFetch(({ url }) => {
      if (url.pathname === "/api/auth/config") return { body: CONFIG };
      if (url.pathname === "/api/auth/token")
        return { status: 401, body: { error: { code: "unauthorized", message: "wrong username or password", details: null } } };
    });
    renderLogin();
    await userEvent.type(await screen.findByLabelText("Username"), "viewer");
    await userEvent.type(screen.getByLabelText("Password"), "nope");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Wrong username or password");
  });

  it("says so when too many attempts were made", async () => {
    mockFetch(({ url }) => {
      if (url.pathname === "/api/auth/config") return { body: CONFIG };
      if (url.pathname === "/api/auth/token")
        return { status: 429, body: { error: { code: "too_many_requests", message: "too many failed logins", details: null } } };
    });
    renderLogin();
    await userEvent.type(await screen.findByLabelText("Username"), "viewer");
    await userEvent.type(screen.getByLabelText("Password"), "nope");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Wait a minute");
  });

  it("signs in, keeps the tokens for the tab and returns to the page asked for", async () => {
    const calls = mockFetch(({ url }) => {
      if (url.pathname === "/api/auth/config") return { body: CONFIG };
      if (url.pathname === "/api/auth/token")
        return { body: { access_token: "a.b.c", token_type: "bearer", expires_in: 900, refresh_token: "r.r.r", refresh_expires_in: 28800 } };
      if (url.pathname === "/api/auth/me")
        return { body: { id: "1", username: "viewer", roles: ["viewer"], groups: [], permissions: ["browse"], is_service: false } };
    });
    renderLogin("/login?next=%2Fmodels");
    await userEvent.type(await screen.findByLabelText("Username"), "viewer");
    await userEvent.type(screen.getByLabelText("Password"), "password123");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByText("the models page")).toBeInTheDocument();
    const token = calls.find((c) => c.url.pathname === "/api/auth/token");
    expect(new URLSearchParams(token?.body).get("grant_type")).toBe("password");
    expect(JSON.parse(sessionStorage.getItem("modelhub.session") ?? "{}").accessToken).toBe("a.b.c");
  });

  it("tells the user when the server cannot be reached", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))));
    renderLogin();
    await waitFor(() => expect(screen.getByRole("alert")).toHaveTextContent("Cannot reach the ModelHub server"));
  });
});
