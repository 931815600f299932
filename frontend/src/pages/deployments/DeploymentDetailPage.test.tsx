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

function server(initial = DEPLOYMENT) {
  let deployment = initial;
  return mockFetch(({ method, url }) => {
    if (url.pathname === "/api/deployments/d1" && method === "GET") return { body: deployment };
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
