import { screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { mockFetch, renderAs } from "../../test/utils";
import { HomePage } from "./HomePage";

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
  models_by_department: [{ name: "marketing", count: 9 }],
  predictions_total: 125000,
  top_models_by_predictions: [{ name: "churn", count: 100000 }, { name: "fraud", count: 25000 }],
  latest_drift: [],
};

describe("home", () => {
  it("charts executions per day and the top models from the metrics API", async () => {
    const calls = mockFetch(({ url }) => {
      if (url.pathname === "/api/dashboards/overview") return { body: OVERVIEW };
    });
    renderAs("viewer", <HomePage />);
    const executions = await screen.findByTestId("home-executions-chart");
    expect(await within(executions).findByTestId("chart-executions-per-day")).toBeInTheDocument();
    const top = screen.getByTestId("home-top-models-chart");
    expect(await within(top).findByTestId("chart-top-models")).toBeInTheDocument();
    expect(calls.some((c) => c.url.pathname === "/api/dashboards/overview" && c.url.searchParams.has("start"))).toBe(true);
  });

  it("says when there is no history yet", async () => {
    mockFetch(({ url }) => {
      if (url.pathname === "/api/dashboards/overview")
        return { body: { ...OVERVIEW, executions_per_day: [], executions_total: 0, top_models_by_predictions: [], predictions_total: 0 } };
    });
    renderAs("viewer", <HomePage />);
    expect(await screen.findByText("No execution finished in this period.")).toBeInTheDocument();
    expect(screen.getByText("No prediction recorded in this period.")).toBeInTheDocument();
  });
});
