import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { mockFetch, renderAs } from "../../test/utils";
import { UsersPage } from "./UsersPage";

const USERS = [
  { id: "u1", username: "admin", first_name: "Ada", last_name: "Admin", email: "admin@example.com", roles: ["admin"], groups: [], disabled: false, created_at: "2025-01-01T10:00:00Z" },
  { id: "u2", username: "viewer", first_name: "Vera", last_name: "Viewer", email: "viewer@example.com", roles: ["viewer"], groups: [], disabled: true, created_at: "2025-01-02T10:00:00Z" },
];

afterEach(() => vi.unstubAllGlobals());

describe("UsersPage (server-side DataGrid)", () => {
  it("renders the rows and the total the server answers", async () => {
    const calls = mockFetch(({ url }) => (url.pathname === "/api/users" ? { body: { items: USERS, total: 2, next_cursor: null } } : undefined));
    renderAs("admin", <UsersPage />);
    const grid = await screen.findByRole("grid", { name: "users" });
    expect(await within(grid).findByText("viewer@example.com")).toBeInTheDocument();
    expect(within(grid).getByText("Disabled")).toBeInTheDocument();
    expect(within(grid).getByText("Viewer")).toBeInTheDocument(); // the role chip
    expect(screen.getByText("2 users")).toBeInTheDocument();
    expect(calls[0].url.searchParams.get("limit")).toBe("25");
  });

  it("sends the search to the server and starts again at the first page", async () => {
    const calls = mockFetch(({ url }) => (url.pathname === "/api/users" ? { body: { items: USERS.slice(0, 1), total: 1, next_cursor: null } } : undefined));
    renderAs("admin", <UsersPage />);
    await screen.findByText("admin@example.com");
    await userEvent.type(screen.getByLabelText("Search username or e-mail"), "ada");
    await waitFor(() => expect(calls.some((c) => c.url.searchParams.get("q") === "ada")).toBe(true));
    expect(calls.at(-1)?.url.searchParams.get("cursor")).toBeNull();
  });

  it("follows next_cursor to the next page", async () => {
    const calls = mockFetch(({ url }) => {
      if (url.pathname !== "/api/users") return undefined;
      return url.searchParams.get("cursor") === "page-2"
        ? { body: { items: USERS.slice(1), total: 26, next_cursor: null } }
        : { body: { items: USERS.slice(0, 1), total: 26, next_cursor: "page-2" } };
    });
    renderAs("admin", <UsersPage />);
    await screen.findByText("admin@example.com");
    await userEvent.click(screen.getByRole("button", { name: /next page/i }));
    expect(await screen.findByText("viewer@example.com")).toBeInTheDocument();
    expect(calls.at(-1)?.url.searchParams.get("cursor")).toBe("page-2");
  });

  it("shows an empty state with an action", async () => {
    mockFetch(({ url }) => (url.pathname === "/api/users" ? { body: { items: [], total: 0, next_cursor: null } } : undefined));
    renderAs("admin", <UsersPage />);
    expect(await screen.findByText("No users yet")).toBeInTheDocument();
  });

  it("shows what to do when the server fails", async () => {
    mockFetch(() => ({ status: 500, body: { error: { code: "internal_error", message: "unexpected error", details: { request_id: "req-42" } } } }));
    renderAs("admin", <UsersPage />);
    expect(await screen.findByText("The server had a problem")).toBeInTheDocument();
    expect(screen.getByText(/req-42/)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Try again" })).toBeInTheDocument();
  });

  it("puts the API's field errors on the fields of the create dialog", async () => {
    mockFetch(({ url, method }) => {
      if (url.pathname !== "/api/users") return undefined;
      if (method === "POST")
        return {
          status: 422,
          body: {
            error: {
              code: "validation_error",
              message: "email: value is not a valid email address",
              details: [{ field: "email", location: "body", message: "value is not a valid email address: the domain is not allowed", type: "value_error" }],
            },
          },
        };
      return { body: { items: [], total: 0, next_cursor: null } };
    });
    renderAs("admin", <UsersPage />);
    await userEvent.click((await screen.findAllByRole("button", { name: "Create user" }))[0]);
    const dialog = await screen.findByRole("dialog");
    await userEvent.click(within(dialog).getByRole("button", { name: "Create user" }));
    expect(within(dialog).getByText(/Choose a username/)).toBeInTheDocument();
    await userEvent.type(within(dialog).getByLabelText("Username"), "new.user");
    await userEvent.type(within(dialog).getByLabelText("First name"), "New");
    await userEvent.type(within(dialog).getByLabelText("Last name"), "User");
    await userEvent.type(within(dialog).getByLabelText("E-mail"), "new@example.invalid");
    await userEvent.type(within(dialog).getByLabelText("Initial password"), "long-enough");
    await userEvent.click(within(dialog).getByRole("button", { name: "Create user" }));
    expect(await within(dialog).findByText(/the domain is not allowed/)).toBeInTheDocument();
  });
});
