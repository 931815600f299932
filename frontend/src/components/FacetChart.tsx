import { Box, Typography } from "@mui/material";
import { BarChart } from "@mui/x-charts/BarChart";
import type { FacetValue } from "../api/registry";
import { humanize } from "./format";

/** Horizontal bars of facet counts (models per department, per framework, …). */
export function FacetChart({
  values,
  height = 260,
  max = 8,
  enumLabels = false,
}: {
  values: FacetValue[];
  height?: number;
  max?: number;
  /** values are enum names (framework, task) to put in words; departments are shown as typed */
  enumLabels?: boolean;
}) {
  const top = values.slice(0, max);
  if (top.length === 0) {
    return (
      <Box sx={{ height, display: "grid", placeItems: "center" }}>
        <Typography variant="body2" color="text.secondary">
          No data yet
        </Typography>
      </Box>
    );
  }
  return (
    <BarChart
      height={height}
      layout="horizontal"
      yAxis={[{ scaleType: "band", data: top.map((v) => (enumLabels ? humanize(v.value) : v.value)), width: 110 }]}
      xAxis={[{ tickMinStep: 1 }]}
      series={[{ data: top.map((v) => v.count), color: "#5b84ad", label: "models" }]}
      margin={{ left: 8, right: 16, top: 8, bottom: 8 }}
      hideLegend
      borderRadius={4}
    />
  );
}
