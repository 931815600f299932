import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { mockFetch, renderAs } from "../../test/utils";
import { DeploymentDetailPage } from "./DeploymentDetailPage";

afterEach(() => vi.unstubAllGlobals());

const DEPLOYMENT = {
  id: "d1", name: "churn-weekly", model_id: "m1", model_name: "Churn", alias: "champion", kind: "batch_scoring", dataset_id: "ds1",
  params: { batch_size: 1000 }, schedule: "0 6 * * 1", cron: "0 6 * * 1", timezone: "Europe/Paris", paused: true, status: "paused",
  dag_id: "mh_d1", sync: { state: "synced" }, created_at: "2025-01-01T00:00:00Z", created_by: "ds", updated_at: "2025-01-01T00:00:00Z", revision: 2,
};
const PREVIEW = { schedule: "0 6 * * 1", cron: "0 6 * * 1", timezone: "Europe/Paris", paused: true, next_runs: ["2030-06-03T06:00:00+02:00", "2030-06-10T06:00:00+02:00"] };

const DATASET = {
  id: "ds1", name: "customers-weekly", filename: "customers.csv", format: "csv", size: 2048, row_count: 1200, sha256: "cd".repeat(32),
  columns: [{ name: "id" }, { name: "tenure" }], created_at: "2025-01-01T00:00:00Z", created_by: "ds", download_path: "/api/datasets/ds1/download",
};

function server(initial = DEPLOYMENT, dataset: { status?: number; body?: unknown } = { body: DATASET }) {
  let deployment = initial;
  return mockFetch(({ method, url }) => {
    if (url.pathname === "/api/deployments/d1" && method === "GET") return { body: deployment };
    if (url.pathname === "/api/datasets/ds1") return dataset;
    if (url.pathname === "/api/deployments/d1/schedule-preview") return { body: PREVIEW };
    if (url.pathname === "/api/executions") return { body: { items: [], total: 0, next_cursor: null } };
    if (url.pathname === "/api/deployments/d1/resume") {
      deployment = { ...deployment, paused: false, status: "active" };
      return { body: deployment };
    }
  });
}
const route = { route: "/deployments/d1", path: "/deployments/:deploymentId" };

describe("deployment detail", () => {
  it.each([
    ["viewer", false, false],
    ["business_user", false, true],
    ["data_scientist", true, true],
  ])("%s: manage shown %s, run shown %s", async (role, manage, run) => {
    server();
    renderAs(role, <DeploymentDetailPage />, route);
    await screen.findByRole("heading", { name: "churn-weekly" });
    expect(screen.queryAllByRole("link", { name: "Edit" }).length > 0).toBe(manage);
    expect(screen.queryAllByRole("button", { name: "Resume" }).length > 0).toBe(manage);
    expect(screen.queryAllByRole("button", { name: "Run now" }).length > 0).toBe(run);
  });

  it("names the dataset it reads, with its size, or says it was deleted", async () => {
    server();
    const { unmount } = renderAs("viewer", <DeploymentDetailPage />, route);
    const dataset = await screen.findByTestId("deployment-dataset");
    expect(within(dataset).getByRole("button", { name: "customers-weekly" })).toBeInTheDocument();
    expect(dataset).toHaveTextContent("1,200 rows · 2 columns · csv · 2.0 KB");
    unmount();
    server(DEPLOYMENT, { status: 404, body: { error: { code: "not_found", message: "no dataset ds1", details: null } } });
    renderAs("viewer", <DeploymentDetailPage />, route);
    expect(await screen.findByText(/^deleted: the next runs fail/)).toBeInTheDocument();
  });

  it("shows the schedule in words with its next runs, and resumes after a confirmation", async () => {
    const calls = server();
    renderAs("data_scientist", <DeploymentDetailPage />, route);
    const next = await screen.findByTestId("deployment-next-runs");
    expect(within(next).getByText("Every Monday at 06:00")).toBeInTheDocument();
    expect(await within(next).findAllByRole("listitem")).toHaveLength(2);
    expect(screen.getByRole("button", { name: "Run now" })).toBeDisabled();
    await userEvent.click(screen.getByRole("button", { name: "Resume" }));
    expect(screen.getByRole("dialog")).toHaveTextContent(/next scheduled time/);
    await userEvent.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Resume" }));
    expect(await screen.findByRole("button", { name: "Pause" })).toBeInTheDocument();
    expect(calls.some((c) => c.method === "POST" && c.url.pathname === "/api/deployments/d1/resume")).toBe(true);
  });
});
