import type { ReactNode } from "react";
import { Card, CardContent, CardHeader, Grid, Stack, Typography } from "@mui/material";
import { PieChart } from "@mui/x-charts/PieChart";
import DashboardCustomizeOutlinedIcon from "@mui/icons-material/DashboardCustomizeOutlined";
import { useQuery } from "@tanstack/react-query";
import { keys } from "../../api/hooks";
import { registryApi, type FacetValue } from "../../api/registry";
import { ErrorState } from "../../components/ErrorState";
import { FacetChart } from "../../components/FacetChart";
import { humanize } from "../../components/format";
import { InlineLoader } from "../../components/Loading";
import { PageHeader } from "../../components/PageHeader";

const PALETTE = ["#2f5d8a", "#0f766e", "#b26a00", "#7b5ea7", "#c0362c", "#5b84ad", "#2e7d4f", "#8a94a6"];

function ChartCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Card sx={{ height: "100%" }}>
      <CardHeader title={title} titleTypographyProps={{ variant: "subtitle1" }} sx={{ pb: 0 }} />
      <CardContent>{children}</CardContent>
    </Card>
  );
}

function Share({ values }: { values: FacetValue[] }) {
  if (!values.length)
    return (
      <Typography variant="body2" color="text.secondary" sx={{ py: 8, textAlign: "center" }}>
        No data yet
      </Typography>
    );
  return (
    <PieChart
      height={260}
      colors={PALETTE}
      series={[
        {
          data: values.slice(0, 8).map((v, i) => ({ id: i, value: v.count, label: humanize(v.value) })),
          innerRadius: 60,
          paddingAngle: 1.5,
          cornerRadius: 4,
        },
      ]}
    />
  );
}

export function ReportsPage() {
  const facets = useQuery({ queryKey: [...keys.models, "facets", {}], queryFn: () => registryApi.facets({}) });
  return (
    <>
      <PageHeader title="Reports" subtitle="The registry at a glance. Execution and model-quality charts join these as the metrics API arrives." />
      {facets.isLoading ? (
        <InlineLoader label="Loading the figures…" />
      ) : facets.error ? (
        <ErrorState error={facets.error} onRetry={() => void facets.refetch()} unavailable={{ feature: "Registry reports", path: "/api/models/facets" }} />
      ) : (
        <Grid container spacing={2.5}>
          <Grid size={{ xs: 12, md: 6 }}>
            <ChartCard title="Models by department">
              <FacetChart values={facets.data?.facets.department ?? []} />
            </ChartCard>
          </Grid>
          <Grid size={{ xs: 12, md: 6 }}>
            <ChartCard title="Models by geography">
              <FacetChart values={facets.data?.facets.geography ?? []} />
            </ChartCard>
          </Grid>
          <Grid size={{ xs: 12, md: 6 }}>
            <ChartCard title="Frameworks">
              <Share values={facets.data?.facets.framework ?? []} />
            </ChartCard>
          </Grid>
          <Grid size={{ xs: 12, md: 6 }}>
            <ChartCard title="Tasks">
              <Share values={facets.data?.facets.task_type ?? []} />
            </ChartCard>
          </Grid>
        </Grid>
      )}
      <Card sx={{ mt: 2.5 }}>
        <CardContent>
          <Stack direction="row" spacing={2} alignItems="flex-start">
            <DashboardCustomizeOutlinedIcon color="primary" />
            <div>
              <Typography variant="subtitle1">Grafana and Superset dashboards</Typography>
              <Typography variant="body2" color="text.secondary">
                Execution durations, model quality, prediction counts and drift live in the metrics store, which Grafana
                and Superset read directly. Ask your administrator for their addresses in your installation.
              </Typography>
            </div>
          </Stack>
        </CardContent>
      </Card>
    </>
  );
}
