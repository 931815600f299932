import { screen } from "@testing-library/react";
import { Route, Routes } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AppShell } from "../layouts/AppShell";
import { ModelsPage } from "../pages/models/ModelsPage";
import { UsersPage } from "../pages/users/UsersPage";
import { mockFetch, renderAs } from "../test/utils";
import { RequirePermission } from "./guards";

const EMPTY_PAGE = { items: [], total: 0, next_cursor: null };
const FACETS = { total: 0, facets: { department: [], geography: [], framework: [], task_type: [], tags: [], owner: [] } };

function registry() {
  return mockFetch(({ url }) => {
    if (url.pathname === "/api/models") return { body: EMPTY_PAGE };
    if (url.pathname === "/api/models/facets") return { body: FACETS };
    if (url.pathname === "/api/users") return { body: EMPTY_PAGE };
  });
}

afterEach(() => vi.unstubAllGlobals());

describe("role-aware UI", () => {
  it.each([
    ["admin", true],
    ["data_scientist", true],
    ["business_user", false],
    ["viewer", false],
  ])("%s: Register model shown = %s", async (role, shown) => {
    registry();
    renderAs(role, <ModelsPage />, { route: "/models" });
    expect(await screen.findByText("No models registered yet")).toBeInTheDocument();
    expect(screen.queryAllByRole("button", { name: "Register model" }).length > 0).toBe(shown);
  });

  it.each([
    ["admin", true],
    ["data_scientist", false],
    ["business_user", false],
    ["viewer", false],
  ])("%s: administration in the navigation = %s", (role, shown) => {
    registry();
    renderAs(
      role,
      <Routes>
        <Route element={<AppShell />}>
          <Route path="*" element={<p>content</p>} />
        </Route>
      </Routes>,
    );
    expect(screen.getByTestId("nav-models")).toBeInTheDocument();
    expect(screen.queryByTestId("nav-users") !== null).toBe(shown);
    expect(screen.queryByTestId("nav-audit-log") !== null).toBe(shown);
  });

  it("a viewer forcing the users page gets the 403 page and no user data is asked for", () => {
    const calls = registry();
    renderAs(
      "viewer",
      <RequirePermission permission="manage_users">
        <UsersPage />
      </RequirePermission>,
      { route: "/users" },
    );
    expect(screen.getByTestId("forbidden-page")).toHaveTextContent("403");
    expect(screen.getByText(/does not allow you to manage users/)).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Create user" })).toBeNull();
    expect(calls.filter((c) => c.url.pathname === "/api/users")).toHaveLength(0);
  });
});
