import type { ReactNode } from "react";
import { Box, Typography } from "@mui/material";
import { LineChart } from "@mui/x-charts/LineChart";
/** One line of an `/api/metrics` answer: its group labels and (time, value) points. */
export interface SeriesGroup {
  labels: Record<string, string | null>;
  points: ReadonlyArray<ReadonlyArray<string | number>>;
}

import { CHART_COLORS } from "./colors";

export function NoData({ height, children }: { height: number; children: ReactNode }) {
  return (
    <Box sx={{ height, display: "grid", placeItems: "center", textAlign: "center", px: 2 }} data-testid="chart-empty">
      <Typography variant="body2" color="text.secondary">
        {children}
      </Typography>
    </Box>
  );
}

const dayFormat = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });

/**
 * The groups of one `/api/metrics` answer as lines over time. Groups may have different buckets:
 * the x axis is the union of their times, a group without a point there shows a gap.
 */
export function SeriesChart({
  groups,
  label,
  height = 240,
  format = (v: number) => v.toLocaleString(undefined, { maximumFractionDigits: 3 }),
  empty = "No data in this period",
  area = false,
}: {
  groups: SeriesGroup[];
  /** the line's name from its group labels */
  label: (labels: Record<string, string | null>) => string;
  height?: number;
  format?: (value: number) => string;
  empty?: ReactNode;
  area?: boolean;
}) {
  const withPoints = groups.filter((g) => g.points.length > 0).slice(0, 8);
  if (withPoints.length === 0) return <NoData height={height}>{empty}</NoData>;
  const times = [...new Set(withPoints.flatMap((g) => g.points.map(([t]) => Date.parse(String(t)))))].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const series = withPoints.map((g, i) => {
    const data: (number | null)[] = times.map(() => null);
    for (const [t, v] of g.points) data[index.get(Date.parse(String(t)))!] = Number(v);
    return {
      id: `s${i}`,
      data,
      label: label(g.labels),
      color: CHART_COLORS[i % CHART_COLORS.length],
      showMark: times.length <= 14,
      area: area && withPoints.length === 1,
      connectNulls: true,
      valueFormatter: (v: number | null) => (v === null ? "–" : format(v)),
    };
  });
  return (
    <LineChart
      height={height}
      xAxis={[{ data: times.map((t) => new Date(t)), scaleType: "time", valueFormatter: (d: Date) => dayFormat.format(d) }]}
      yAxis={[{ width: 56, valueFormatter: (v: number) => format(v) }]}
      series={series}
      hideLegend={withPoints.length < 2}
      margin={{ left: 8, right: 28, top: 8, bottom: 8 }}
      grid={{ horizontal: true }}
    />
  );
}
