import { fireEvent, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { mockFetch, renderAs } from "../../test/utils";
import { RegisterModelPage } from "./RegisterModelPage";

afterEach(() => vi.unstubAllGlobals());

const MODEL = {
  id: "a".repeat(32), name: "Churn", owner: "data_scientist", framework: "sklearn", task_type: "classification", tags: [],
  aliases: {}, created_at: "2025-01-01T00:00:00Z", created_by: "ds", updated_at: "2025-01-01T00:00:00Z", version: 1,
};

function fill(label: string | RegExp, value: string) {
  fireEvent.change(screen.getByLabelText(label), { target: { value } });
}

describe("register model form", () => {
  it("shows the name rule live, naming the characters that are not allowed", async () => {
    mockFetch(() => undefined);
    renderAs("data_scientist", <RegisterModelPage />);
    fill("Name", "churn/v2?");
    expect(await screen.findByText(/Not allowed: "\/" "\?"/)).toBeInTheDocument();
    fill("Name", "Churn v2");
    expect(screen.queryByText(/Not allowed/)).not.toBeInTheDocument();
  });

  it("checks the JSON Schema editors before sending", async () => {
    const calls = mockFetch(() => undefined);
    renderAs("data_scientist", <RegisterModelPage />);
    fill("Name", "Churn");
    fill("Input schema", '{"type": "object", "properties": {"x": {"type": "int"}}}');
    await userEvent.click(screen.getByRole("button", { name: "Register model" }));
    expect((await screen.findAllByText(/unknown type "int"/)).length).toBeGreaterThan(0);
    expect(calls.filter((c) => c.method === "POST")).toHaveLength(0);
  });

  it("puts the server's errors on the field they name (409 duplicate name, 422 schema)", async () => {
    let answer: { status: number; body: unknown } = {
      status: 409,
      body: { error: { code: "duplicate", message: "a model named Churn already exists", details: { field: "name" } } },
    };
    const calls = mockFetch(({ method, url }) => (method === "POST" && url.pathname === "/api/models" ? answer : undefined));
    renderAs("data_scientist", <RegisterModelPage />);
    fill("Name", "Churn");
    await userEvent.click(screen.getByRole("button", { name: "Register model" }));
    expect(await screen.findByText("A model named Churn already exists")).toBeInTheDocument();
    expect(screen.getByLabelText("Name")).toHaveAttribute("aria-invalid", "true");

    answer = {
      status: 422,
      body: {
        error: {
          code: "validation_error",
          message: "output_schema: Value error, is not a valid JSON Schema at (root): 3 is not valid",
          details: [{ field: "output_schema", message: "Value error, is not a valid JSON Schema at (root): 3 is not valid" }],
        },
      },
    };
    fill("Name", "Churn 2");
    await userEvent.click(screen.getByRole("button", { name: "Register model" }));
    expect(await screen.findByText("Is not a valid JSON Schema at (root): 3 is not valid")).toBeInTheDocument();
    const body = JSON.parse(calls.filter((c) => c.method === "POST").at(-1)!.body);
    expect(body).toMatchObject({ name: "Churn 2", framework: "sklearn", task_type: "classification", tags: [] });
  });

  it("goes on to the optional first version once the model is registered", async () => {
    mockFetch(({ method, url }) => {
      if (method === "POST" && url.pathname === "/api/models") return { status: 201, body: MODEL };
      if (url.pathname === "/api/datasets") return { body: { items: [], total: 0, next_cursor: null } };
    });
    renderAs("data_scientist", <RegisterModelPage />);
    fill("Name", "Churn");
    await userEvent.click(screen.getByRole("button", { name: "Register model" }));
    await waitFor(() => expect(screen.getByText(/is registered/)).toBeInTheDocument());
    expect(screen.getByRole("button", { name: "Skip for now" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Upload version" })).toBeInTheDocument();
  });
});
