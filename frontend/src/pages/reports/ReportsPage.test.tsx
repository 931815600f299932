import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { mockFetch, renderAs } from "../../test/utils";
import { ReportsPage } from "./ReportsPage";

afterEach(() => vi.unstubAllGlobals());

const day = (n: number) => new Date(Date.UTC(2026, 10, n)).toISOString();
const OVERVIEW = {
  start: day(1),
  end: day(4),
  executions_per_day: [
    { day: day(1), success: 5, failed: 1, cancelled: 0 },
    { day: day(2), success: 6, failed: 0, cancelled: 0 },
  ],
  executions_total: 12,
  success_rate: 11 / 12,
  avg_execution_duration_s: 95,
  models_total: 14,
  models_by_department: [{ name: "marketing", count: 9 }, { name: "risk", count: 5 }],
  predictions_total: 125000,
  top_models_by_predictions: [{ name: "churn", count: 100000 }, { name: "fraud", count: 25000 }],
  latest_drift: [
    { model_name: "churn", day: day(3), features_tested: 5, features_drifted: 2 },
    { model_name: "fraud", day: day(3), features_tested: 4, features_drifted: 0 },
  ],
};
const EMPTY = {
  ...OVERVIEW,
  executions_per_day: [],
  executions_total: 0,
  success_rate: null,
  avg_execution_duration_s: null,
  predictions_total: 0,
  top_models_by_predictions: [],
  latest_drift: [],
};
const LINKS = {
  grafana_url: "http://grafana.example/",
  superset_url: "http://superset.example/",
  dashboards: [
    { tool: "grafana", title: "ModelHub overview", url: "http://grafana.example/d/modelhub-overview" },
    { tool: "superset", title: "ModelHub reports", url: "http://superset.example/superset/dashboard/modelhub/" },
  ],
};
const NO_LINKS = { grafana_url: null, superset_url: null, dashboards: [] };

function server(overview: unknown, links: unknown) {
  return mockFetch(({ url }) => {
    if (url.pathname === "/api/dashboards/overview") return { body: overview };
    if (url.pathname === "/api/dashboards/links") return { body: links };
  });
}

describe("reports", () => {
  it("shows the overview figures, charts, drift and the dashboard links", async () => {
    server(OVERVIEW, LINKS);
    renderAs("viewer", <ReportsPage />);
    expect(await screen.findByTestId("kpi-Executions")).toHaveTextContent("12");
    expect(screen.getByTestId("kpi-Success rate")).toHaveTextContent("91.7 %");
    expect(screen.getByTestId("kpi-Models")).toHaveTextContent("14");
    expect(screen.getByTestId("kpi-Predictions")).toHaveTextContent("125K");
    expect(screen.getByTestId("chart-executions-per-day")).toBeInTheDocument();
    expect(screen.getByTestId("chart-top-models")).toBeInTheDocument();
    const drift = screen.getByTestId("latest-drift");
    expect(within(drift).getByText("2 of 5 drifted")).toBeInTheDocument();
    expect(within(drift).getByText("4 stable")).toBeInTheDocument();
    expect(screen.queryByTestId("reports-no-history")).not.toBeInTheDocument();
    expect(await screen.findByRole("link", { name: /Open Grafana/ })).toHaveAttribute("href", "http://grafana.example/");
    expect(screen.getByRole("link", { name: /Open Superset/ })).toHaveAttribute("href", "http://superset.example/");
    expect(screen.getByRole("link", { name: "ModelHub overview" })).toHaveAttribute("target", "_blank");
  });

  it("explains an empty metrics store and how to enable Grafana and Superset", async () => {
    server(EMPTY, NO_LINKS);
    renderAs("viewer", <ReportsPage />);
    expect(await screen.findByTestId("reports-no-history")).toBeInTheDocument();
    expect(screen.getByText("No execution finished in this period.")).toBeInTheDocument();
    expect(screen.getByText("No prediction recorded in this period.")).toBeInTheDocument();
    expect(screen.getByTestId("kpi-Success rate")).toHaveTextContent("—");
    const links = screen.getByTestId("dashboard-links");
    expect(await within(links).findByText("Grafana and Superset are not configured")).toBeInTheDocument();
    expect(links).toHaveTextContent("MODELHUB_GRAFANA_URL");
    expect(links).toHaveTextContent("MODELHUB_WITH_SUPERSET=1 make run");
    expect(within(links).queryByRole("link")).not.toBeInTheDocument();
  });

  it("asks for another period", async () => {
    const calls = server(OVERVIEW, NO_LINKS);
    renderAs("viewer", <ReportsPage />);
    await screen.findByTestId("kpi-Executions");
    await userEvent.click(screen.getByRole("button", { name: "last 7 days" }));
    await screen.findByText("finished in 7 days");
    const starts = calls.filter((c) => c.url.pathname === "/api/dashboards/overview").map((c) => Date.parse(c.url.searchParams.get("start")!));
    expect(starts).toHaveLength(2);
    expect(Math.round((Date.now() - starts[1]) / 86_400_000)).toBe(7);
  });

  it("says so when the server has no reports API", async () => {
    mockFetch(() => undefined);
    renderAs("viewer", <ReportsPage />);
    expect(await screen.findByText("Reports are not available on this server yet")).toBeInTheDocument();
  });
});
