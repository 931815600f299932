import { useState, type ReactNode } from "react";
import {
  Alert,
  Button,
  Card,
  CardContent,
  CardHeader,
  Chip,
  Grid,
  List,
  ListItem,
  ListItemText,
  Stack,
  ToggleButton,
  ToggleButtonGroup,
  Typography,
} from "@mui/material";
import DashboardCustomizeOutlinedIcon from "@mui/icons-material/DashboardCustomizeOutlined";
import OpenInNewIcon from "@mui/icons-material/OpenInNew";
import PlayCircleOutlineIcon from "@mui/icons-material/PlayCircleOutline";
import TaskAltIcon from "@mui/icons-material/TaskAlt";
import TimerOutlinedIcon from "@mui/icons-material/TimerOutlined";
import HubOutlinedIcon from "@mui/icons-material/HubOutlined";
import BoltOutlinedIcon from "@mui/icons-material/BoltOutlined";
import { useQuery } from "@tanstack/react-query";
import { Link as RouterLink } from "react-router";
import { metricsApi, metricsKeys, type DashboardLinks, type Overview } from "../../api/metrics";
import { ExecutionsPerDay, TopModels } from "../../components/charts/OverviewCharts";
import { NoData } from "../../components/charts/SeriesChart";
import { EmptyState } from "../../components/EmptyState";
import { ErrorState } from "../../components/ErrorState";
import { FacetChart } from "../../components/FacetChart";
import { formatCount } from "../../components/format";
import { KpiCard } from "../../components/KpiCard";
import { InlineLoader } from "../../components/Loading";
import { PageHeader } from "../../components/PageHeader";

const PERIODS = [7, 30, 90] as const;
const dayFormat = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", timeZone: "UTC" });
/** A duration short enough for a KPI card ("75 s" would wrap as "1 min 15 s"). */
function shortDuration(seconds?: number | null): string {
  if (seconds === undefined || seconds === null) return "—";
  if (seconds < 90) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  if (seconds < 5400) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function ChartCard({ title, subtitle, children }: { title: string; subtitle?: string; children: ReactNode }) {
  return (
    <Card sx={{ height: "100%" }}>
      <CardHeader
        title={title}
        subheader={subtitle}
        titleTypographyProps={{ variant: "subtitle1" }}
        subheaderTypographyProps={{ variant: "caption" }}
        sx={{ pb: 0 }}
      />
      <CardContent>{children}</CardContent>
    </Card>
  );
}

function LatestDrift({ overview }: { overview: Overview }) {
  const rows = [...overview.latest_drift].sort((a, b) => b.features_drifted - a.features_drifted);
  if (rows.length === 0)
    return <NoData height={200}>No drift check in the last 7 days. Monitoring deployments run them.</NoData>;
  return (
    <List dense disablePadding data-testid="latest-drift" sx={{ maxHeight: 280, overflow: "auto" }}>
      {rows.map((row) => (
        <ListItem
          key={row.model_name}
          disableGutters
          secondaryAction={
            <Chip
              size="small"
              color={row.features_drifted > 0 ? "error" : "success"}
              variant={row.features_drifted > 0 ? "filled" : "outlined"}
              label={row.features_drifted > 0 ? `${row.features_drifted} of ${row.features_tested} drifted` : `${row.features_tested} stable`}
            />
          }
        >
          <ListItemText
            primary={row.model_name}
            secondary={`checked ${dayFormat.format(new Date(row.day))}`}
            slotProps={{ primary: { noWrap: true, sx: { pr: 16 } } }}
          />
        </ListItem>
      ))}
    </List>
  );
}

function DashboardsCard({ links, error, loading }: { links?: DashboardLinks; error: unknown; loading: boolean }) {
  const tools = [
    { name: "Grafana", url: links?.grafana_url, key: "grafana" },
    { name: "Superset", url: links?.superset_url, key: "superset" },
  ].filter((t) => !!t.url);
  return (
    <Card sx={{ mt: 2.5 }} data-testid="dashboard-links">
      <CardHeader
        title="Grafana and Superset dashboards"
        titleTypographyProps={{ variant: "subtitle1" }}
        avatar={<DashboardCustomizeOutlinedIcon color="primary" />}
        sx={{ pb: 0 }}
      />
      <CardContent>
        {loading ? (
          <InlineLoader label="Loading the dashboard links…" />
        ) : error ? (
          <ErrorState compact error={error} unavailable={{ feature: "Dashboard links", path: "/api/dashboards/links" }} />
        ) : tools.length === 0 ? (
          <EmptyState
            compact
            icon={<DashboardCustomizeOutlinedIcon />}
            title="Grafana and Superset are not configured"
            description={
              <>
                They read the same metrics store with more detail (per pipeline, per caller, per feature). To link them
                here, set <code>MODELHUB_GRAFANA_URL</code> and <code>MODELHUB_SUPERSET_URL</code> on the server
                (docker-compose runs both), or start Superset locally with <code>MODELHUB_WITH_SUPERSET=1 make run</code>.
              </>
            }
          />
        ) : (
          <Stack spacing={2}>
            {tools.map((tool) => {
              const boards = (links?.dashboards ?? []).filter((d) => d.tool === tool.key);
              return (
                <Stack key={tool.key} direction={{ xs: "column", sm: "row" }} spacing={1} alignItems={{ sm: "center" }} flexWrap="wrap" useFlexGap>
                  <Button variant="contained" href={tool.url!} target="_blank" rel="noopener noreferrer" endIcon={<OpenInNewIcon />}>
                    Open {tool.name}
                  </Button>
                  {boards.map((board) => (
                    <Button key={board.url} variant="outlined" size="small" href={board.url} target="_blank" rel="noopener noreferrer">
                      {board.title}
                    </Button>
                  ))}
                </Stack>
              );
            })}
          </Stack>
        )}
      </CardContent>
    </Card>
  );
}

export function ReportsPage() {
  const [days, setDays] = useState<number>(30);
  const overview = useQuery({ queryKey: metricsKeys.overview(days), queryFn: () => metricsApi.overview(days) });
  const links = useQuery({ queryKey: metricsKeys.links, queryFn: metricsApi.links, staleTime: 300_000 });
  const o = overview.data;
  const noHistory = !!o && o.executions_total === 0 && o.predictions_total === 0 && o.latest_drift.length === 0;
  return (
    <>
      <PageHeader
        title="Reports"
        subtitle="Executions, predictions and drift from the metrics store. Grafana and Superset show the details."
        actions={
          <ToggleButtonGroup
            size="small"
            exclusive
            value={days}
            onChange={(_e, value: number | null) => value && setDays(value)}
            aria-label="period"
          >
            {PERIODS.map((p) => (
              <ToggleButton key={p} value={p} aria-label={`last ${p} days`}>
                {p} days
              </ToggleButton>
            ))}
          </ToggleButtonGroup>
        }
      />
      {overview.isLoading ? (
        <InlineLoader label="Loading the figures…" />
      ) : overview.error || !o ? (
        <ErrorState error={overview.error} onRetry={() => void overview.refetch()} unavailable={{ feature: "Reports", path: "/api/dashboards/overview" }} />
      ) : (
        <>
          {noHistory && (
            <Alert severity="info" sx={{ mb: 2.5 }} data-testid="reports-no-history">
              No metric history in the last {days} days yet. Charts fill in as deployments run, models serve predictions
              and monitoring checks drift; <code>modelhub seed-demo</code> writes months of demo history.
            </Alert>
          )}
          <Grid container spacing={2.5} sx={{ mb: 2.5 }}>
            <Grid size={{ xs: 12, sm: 6, md: 2.4 }}>
              <KpiCard label="Executions" value={formatCount(o.executions_total)} hint={`finished in ${days} days`} icon={<PlayCircleOutlineIcon />} to="/executions" />
            </Grid>
            <Grid size={{ xs: 12, sm: 6, md: 2.4 }}>
              <KpiCard
                label="Success rate"
                value={o.success_rate === null || o.success_rate === undefined ? "—" : `${(o.success_rate * 100).toFixed(1)} %`}
                hint="of finished executions"
                icon={<TaskAltIcon />}
                tone={o.success_rate !== null && o.success_rate !== undefined && o.success_rate < 0.8 ? "warning" : "success"}
              />
            </Grid>
            <Grid size={{ xs: 12, sm: 6, md: 2.4 }}>
              <KpiCard label="Mean duration" value={shortDuration(o.avg_execution_duration_s)} hint="per execution" icon={<TimerOutlinedIcon />} tone="secondary" />
            </Grid>
            <Grid size={{ xs: 12, sm: 6, md: 2.4 }}>
              <KpiCard label="Models" value={formatCount(o.models_total)} hint="in the catalog" icon={<HubOutlinedIcon />} to="/models" />
            </Grid>
            <Grid size={{ xs: 12, sm: 6, md: 2.4 }}>
              <KpiCard
                label="Predictions"
                value={new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 }).format(o.predictions_total)}
                hint={`in ${days} days`}
                icon={<BoltOutlinedIcon />}
                tone="secondary"
              />
            </Grid>
          </Grid>
          <Grid container spacing={2.5}>
            <Grid size={{ xs: 12, lg: 8 }}>
              <ChartCard title="Executions per day" subtitle="finished executions by final status (UTC days)">
                <ExecutionsPerDay overview={o} />
              </ChartCard>
            </Grid>
            <Grid size={{ xs: 12, lg: 4 }}>
              <ChartCard title="Latest drift checks" subtitle="per model, its latest day of checks">
                <LatestDrift overview={o} />
              </ChartCard>
            </Grid>
            <Grid size={{ xs: 12, md: 6 }}>
              <ChartCard title="Top models by predictions" subtitle={`online and batch, last ${days} days`}>
                <TopModels overview={o} />
              </ChartCard>
            </Grid>
            <Grid size={{ xs: 12, md: 6 }}>
              <ChartCard title="Models by department" subtitle="the catalog today">
                <FacetChart height={280} values={o.models_by_department.map((d) => ({ value: d.name, count: d.count }))} />
              </ChartCard>
            </Grid>
          </Grid>
          {o.models_total > 0 && (
            <Typography variant="body2" color="text.secondary" sx={{ mt: 1.5 }}>
              Quality, prediction volume and drift of a single model are on its page in the{" "}
              <RouterLink to="/models">catalog</RouterLink> (Monitoring).
            </Typography>
          )}
        </>
      )}
      <DashboardsCard links={links.data} error={links.error} loading={links.isLoading} />
    </>
  );
}
