import { fireEvent, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { mockFetch, renderAs } from "../../test/utils";
import { DeploymentFormPage } from "./DeploymentFormPage";

afterEach(() => vi.unstubAllGlobals());

const MODEL = { id: "m1", name: "Churn", owner: "ds", framework: "sklearn", task_type: "classification", tags: [], latest_version: 2, aliases: { champion: 2 }, created_at: "", created_by: "", updated_at: "", version: 1 };
const KINDS = [
  { kind: "batch_scoring", available: true, needs_dataset: true, params_schema: { type: "object", additionalProperties: false, properties: { batch_size: { type: "integer", minimum: 1, default: 50000 } } } },
  { kind: "training", available: false, needs_dataset: true, params_schema: null },
];
const DATASETS = { items: [{ id: "ds1", name: "customers", format: "csv", row_count: 2, sha256: "ab".repeat(32) }], total: 1, next_cursor: null };

function server(create: () => { status: number; body: unknown }) {
  return mockFetch(({ method, url }) => {
    if (url.pathname === "/api/deployments/kinds") return { body: KINDS };
    if (url.pathname === "/api/models") return { body: { items: [MODEL], total: 1, next_cursor: null } };
    if (url.pathname === "/api/models/m1") return { body: MODEL };
    if (url.pathname === "/api/datasets") return { body: DATASETS };
    if (url.pathname === "/api/deployments/schedule-preview") return { body: { schedule: "x", cron: "x", timezone: "UTC", next_runs: [] } };
    if (url.pathname === "/api/deployments" && method === "POST") return create();
  });
}

describe("deployment form", () => {
  it("offers only the kinds the server makes available, with a params form from the kind's schema", async () => {
    server(() => ({ status: 201, body: {} }));
    renderAs("data_scientist", <DeploymentFormPage />, { route: "/deployments/new?model=m1", path: "/deployments/new" });
    expect(await screen.findByRole("radio", { name: "Training" })).toBeDisabled();
    expect(screen.getByRole("radio", { name: "Batch scoring" })).toHaveAttribute("aria-checked", "true");
    expect(await screen.findByLabelText("Batch size")).toHaveAttribute("placeholder", "50000");
  });

  it("puts the server's 422 on the parameter and the field it names", async () => {
    const calls = server(() => ({
      status: 422,
      body: {
        error: {
          code: "validation_error",
          message: "params.batch_size: 5 is not a multiple of 10; schedule: bad",
          details: [
            { field: "params.batch_size", message: "5 is not a multiple of 10" },
            { field: "dataset_id", message: "dataset ds1 has no column id" },
          ],
        },
      },
    }));
    renderAs("data_scientist", <DeploymentFormPage />, { route: "/deployments/new?model=m1", path: "/deployments/new" });
    fireEvent.change(await screen.findByLabelText("Name"), { target: { value: "churn-weekly" } });
    await userEvent.click(screen.getByRole("combobox", { name: /Dataset/ }));
    await userEvent.click(await screen.findByRole("option", { name: /customers/ }));
    fireEvent.change(screen.getByLabelText("Batch size"), { target: { value: "5" } });
    await userEvent.click(screen.getByRole("button", { name: "Create deployment" }));
    expect(await screen.findByText("5 is not a multiple of 10")).toBeInTheDocument();
    expect(screen.getByText("Dataset ds1 has no column id")).toBeInTheDocument();
    const body = JSON.parse(calls.find((c) => c.method === "POST")!.body);
    expect(body).toMatchObject({ name: "churn-weekly", model_id: "m1", kind: "batch_scoring", alias: "champion", dataset_id: "ds1", params: { batch_size: 5 } });
  });
});
