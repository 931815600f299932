import { screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Model } from "../../api/registry";
import { mockFetch, renderAs } from "../../test/utils";
import { MonitoringPanel } from "./MonitoringPanel";

afterEach(() => vi.unstubAllGlobals());

const MODEL = { id: "m".repeat(32), name: "Churn" } as Model;
const t = (d: number) => new Date(Date.UTC(2026, 10, d)).toISOString();
const series = (name: string, groups: unknown[]) => ({
  series: name, start: t(1), end: t(4), bucket_s: 86400, aggregate: "avg", filters: { model_id: MODEL.id }, groups,
});
const REPORT = {
  id: "r2", model_id: MODEL.id, version: 2, status: "drifted", checked_at: new Date().toISOString(), source: "prediction_log",
  samples: 1200, thresholds: { ks_p_value: 0.01 }, drifted_features: ["tenure"],
  features: {
    tenure: { type: "numeric", samples: 1200, drifted: true, tests: { ks: { statistic: 0.31, p_value: 0.0001, threshold: 0.01, drifted: true } } },
    plan: { type: "categorical", samples: 1200, drifted: false, tests: { chi2: { statistic: 1.2, p_value: 0.5, threshold: 0.01, drifted: false } } },
    region: { skipped: "the inputs have no such column" },
  },
};
const DRIFT = {
  model_id: MODEL.id, model_name: "Churn", status: "drifted", latest: REPORT,
  history: [{ ...REPORT, id: "r1", status: "ok", drifted_features: [], checked_at: t(2) }],
};

describe("model monitoring", () => {
  it("asks the metrics of this model and highlights the drifted features", async () => {
    const calls = mockFetch(({ url }) => {
      if (url.pathname === "/api/metrics") {
        const name = url.searchParams.get("series")!;
        if (name === "model.metric")
          return { body: series(name, [{ labels: { metric: "auc" }, points: [[t(1), 0.81], [t(2), 0.83]] }, { labels: { metric: "f1" }, points: [[t(2), 0.7]] }]) };
        return { body: series(name, [{ labels: { source: "online" }, points: [[t(1), 100], [t(2), 140]] }]) };
      }
      if (url.pathname === `/api/models/${MODEL.id}/drift`) return { body: DRIFT };
    });
    renderAs("viewer", <MonitoringPanel model={MODEL} />);
    const drift = await screen.findByTestId("drift-status");
    expect(await within(drift).findByText("Drifted")).toBeInTheDocument();
    expect(within(drift).getByRole("alert")).toHaveTextContent("1 feature drifted: tenure");
    expect(screen.getByTestId("drift-feature-tenure")).toHaveAttribute("data-drifted", "true");
    expect(within(screen.getByTestId("drift-feature-tenure")).getByText("drifted")).toBeInTheDocument();
    expect(screen.getByTestId("drift-feature-plan")).toHaveAttribute("data-drifted", "false");
    expect(within(screen.getByTestId("drift-feature-region")).getByText("skipped")).toBeInTheDocument();
    await vi.waitFor(() => expect(screen.queryAllByTestId("chart-empty")).toHaveLength(0));

    const metricCalls = calls.filter((c) => c.url.pathname === "/api/metrics");
    const asked: Record<string, URLSearchParams> = Object.fromEntries(metricCalls.map((c) => [c.url.searchParams.get("series")!, c.url.searchParams]));
    expect(Object.keys(asked).sort()).toEqual(["model.metric", "prediction.count", "prediction.latency_ms"]);
    for (const params of Object.values(asked)) expect(params.get("model")).toBe(MODEL.id);
    expect(asked["model.metric"].getAll("group_by")).toEqual(["metric"]);
    expect(asked["prediction.count"].get("aggregate")).toBe("sum");
    expect(asked["prediction.latency_ms"].get("aggregate")).toBe("avg");
  });

  it("shows empty states without history or drift reports", async () => {
    mockFetch(({ url }) => {
      if (url.pathname === "/api/metrics") return { body: series(url.searchParams.get("series")!, []) };
      if (url.pathname === `/api/models/${MODEL.id}/drift`) return { body: { model_id: MODEL.id, model_name: "Churn", status: "unknown", latest: null, history: [] } };
    });
    renderAs("viewer", <MonitoringPanel model={MODEL} />);
    expect(await screen.findByText(/No evaluation recorded in this period/)).toBeInTheDocument();
    expect(await screen.findByText("No prediction recorded in this period.")).toBeInTheDocument();
    expect(await screen.findByText("No latency recorded in this period.")).toBeInTheDocument();
    expect(await screen.findByText(/No drift report yet/)).toBeInTheDocument();
    expect(screen.getByText("Never checked")).toBeInTheDocument();
  });
});
