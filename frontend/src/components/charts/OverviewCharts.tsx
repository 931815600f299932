/** Charts of the metrics overview (GET /api/dashboards/overview), on the Reports and Home pages. */
import { Box } from "@mui/material";
import { BarChart } from "@mui/x-charts/BarChart";
import type { Overview } from "../../api/metrics";
import { formatCount } from "../format";
import { CHART_COLORS } from "./colors";
import { NoData } from "./SeriesChart";

const STATUS_COLORS = { success: "#2e7d4f", failed: "#c0362c", cancelled: "#8a94a6" };
const dayFormat = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", timeZone: "UTC" });

export function ExecutionsPerDay({ overview, height = 280 }: { overview: Overview; height?: number }) {
  const days = overview.executions_per_day;
  if (days.length === 0 || overview.executions_total === 0)
    return <NoData height={height}>No execution finished in this period.</NoData>;
  return (
    <Box data-testid="chart-executions-per-day">
      <BarChart
        height={height}
        xAxis={[{ scaleType: "band", data: days.map((d) => dayFormat.format(new Date(d.day))) }]}
        yAxis={[{ width: 40, tickMinStep: 1 }]}
        series={(["success", "failed", "cancelled"] as const).map((status) => ({
          data: days.map((d) => d[status] ?? 0),
          label: status[0].toUpperCase() + status.slice(1),
          stack: "status",
          color: STATUS_COLORS[status],
        }))}
        margin={{ left: 8, right: 16, top: 8, bottom: 8 }}
      />
    </Box>
  );
}

export function TopModels({ overview, height = 280 }: { overview: Overview; height?: number }) {
  const top = overview.top_models_by_predictions.filter((m) => m.count > 0);
  if (top.length === 0) return <NoData height={height}>No prediction recorded in this period.</NoData>;
  return (
    <Box data-testid="chart-top-models">
      <BarChart
        height={height}
        layout="horizontal"
        yAxis={[{ scaleType: "band", data: top.map((m) => m.name), width: 130 }]}
        xAxis={[{ tickMinStep: 1, valueFormatter: (v: number) => new Intl.NumberFormat(undefined, { notation: "compact" }).format(v) }]}
        series={[{ data: top.map((m) => m.count), label: "predictions", color: CHART_COLORS[1], valueFormatter: (v) => formatCount(v) }]}
        margin={{ left: 8, right: 16, top: 8, bottom: 8 }}
        hideLegend
        borderRadius={4}
      />
    </Box>
  );
}
