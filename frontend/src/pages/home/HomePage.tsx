import type { ReactNode } from "react";
import { Box, Button, Card, CardContent, CardHeader, Grid, List, ListItem, ListItemText, Stack, Typography } from "@mui/material";
import HubOutlinedIcon from "@mui/icons-material/HubOutlined";
import ScheduleOutlinedIcon from "@mui/icons-material/ScheduleOutlined";
import PlayCircleOutlineIcon from "@mui/icons-material/PlayCircleOutline";
import PeopleAltOutlinedIcon from "@mui/icons-material/PeopleAltOutlined";
import MonitorHeartOutlinedIcon from "@mui/icons-material/MonitorHeartOutlined";
import BadgeOutlinedIcon from "@mui/icons-material/BadgeOutlined";
import { useQuery } from "@tanstack/react-query";
import { Link as RouterLink } from "react-router";
import { fetchAudit, fetchUsers, keys, useReadiness } from "../../api/hooks";
import { metricsApi, metricsKeys } from "../../api/metrics";
import { registryApi } from "../../api/registry";
import { roleLabel } from "../../api/types";
import { useAuth, useCan } from "../../auth/context";
import { StatusChip } from "../../components/Chips";
import { EmptyState } from "../../components/EmptyState";
import { ErrorState } from "../../components/ErrorState";
import { ExecutionsPerDay, TopModels } from "../../components/charts/OverviewCharts";
import { FacetChart } from "../../components/FacetChart";
import { formatCount, humanize, timeAgo } from "../../components/format";
import { KpiCard } from "../../components/KpiCard";
import { InlineLoader } from "../../components/Loading";

function Panel({ title, action, children }: { title: string; action?: ReactNode; children: ReactNode }) {
  return (
    <Card sx={{ height: "100%" }}>
      <CardHeader title={title} action={action} titleTypographyProps={{ variant: "subtitle1" }} sx={{ pb: 0 }} />
      <CardContent>{children}</CardContent>
    </Card>
  );
}

function RecentActivity() {
  const audit = useQuery({ queryKey: [...keys.audit, "recent"], queryFn: () => fetchAudit({ cursor: null, limit: 7 }) });
  if (audit.isLoading) return <InlineLoader />;
  if (audit.error) return <ErrorState compact error={audit.error} onRetry={() => void audit.refetch()} />;
  if (!audit.data?.items.length) return <EmptyState compact title="No activity yet" />;
  return (
    <List dense disablePadding>
      {audit.data.items.map((entry) => (
        <ListItem key={entry.id} disableGutters divider>
          <ListItemText
            primary={
              <>
                <strong>{entry.actor}</strong> · {entry.action} <Typography component="span" color="text.secondary" variant="body2">{entry.entity_type} {entry.entity_id.slice(0, 12)}</Typography>
              </>
            }
            secondary={timeAgo(entry.at)}
          />
        </ListItem>
      ))}
    </List>
  );
}

function RecentModels() {
  const models = useQuery({
    queryKey: [...keys.models, "recent"],
    queryFn: () => registryApi.models({ sort: "-updated_at", limit: 6 }),
  });
  if (models.isLoading) return <InlineLoader />;
  if (models.error)
    return (
      <ErrorState compact error={models.error} onRetry={() => void models.refetch()} unavailable={{ feature: "Models", path: "/api/models" }} />
    );
  if (!models.data?.items.length) return <EmptyState compact title="No models yet" />;
  return (
    <List dense disablePadding>
      {models.data.items.map((m) => (
        <ListItem key={m.id} disableGutters divider>
          <ListItemText
            primary={
              <Typography component={RouterLink} to={`/models/${encodeURIComponent(m.id)}`} sx={{ color: "primary.main", textDecoration: "none", fontWeight: 600, fontSize: 14 }}>
                {m.name}
              </Typography>
            }
            secondary={`${humanize(m.framework)} · ${m.department ?? "no department"} · updated ${timeAgo(m.updated_at)}`}
          />
        </ListItem>
      ))}
    </List>
  );
}

/** Days of the metrics overview on the home page (the Reports page's default: one cache entry for both). */
const OVERVIEW_DAYS = 30;

/** Executions per day and the most used models, from the metrics API (GET /api/dashboards/overview). */
function MetricsCharts() {
  const overview = useQuery({ queryKey: metricsKeys.overview(OVERVIEW_DAYS), queryFn: () => metricsApi.overview(OVERVIEW_DAYS) });
  const reports = (
    <Button size="small" component={RouterLink} to="/reports">
      Reports
    </Button>
  );
  const body = (chart: (o: NonNullable<typeof overview.data>) => ReactNode) =>
    overview.isLoading ? (
      <InlineLoader />
    ) : overview.error || !overview.data ? (
      <ErrorState compact error={overview.error} onRetry={() => void overview.refetch()} unavailable={{ feature: "Metrics", path: "/api/dashboards/overview" }} />
    ) : (
      chart(overview.data)
    );
  return (
    <>
      <Grid size={{ xs: 12, lg: 7 }} data-testid="home-executions-chart">
        <Panel title={`Executions per day (last ${OVERVIEW_DAYS} days)`} action={reports}>
          {body((o) => <ExecutionsPerDay overview={o} height={220} />)}
        </Panel>
      </Grid>
      <Grid size={{ xs: 12, lg: 5 }} data-testid="home-top-models-chart">
        <Panel title="Top models by predictions" action={reports}>
          {body((o) => <TopModels overview={o} height={220} />)}
        </Panel>
      </Grid>
    </>
  );
}

function SystemStatus() {
  const ready = useReadiness();
  if (ready.isLoading) return <InlineLoader />;
  if (ready.error || !ready.data) return <ErrorState compact error={ready.error} onRetry={() => void ready.refetch()} />;
  return (
    <Stack spacing={1}>
      {Object.entries(ready.data.components).map(([name, c]) => (
        <Stack key={name} direction="row" alignItems="center" justifyContent="space-between">
          <Typography variant="body2">{humanize(name)}</Typography>
          <Stack direction="row" spacing={1} alignItems="center">
            {c.latency_ms !== null && c.latency_ms !== undefined && (
              <Typography variant="caption" color="text.secondary">
                {c.latency_ms.toFixed(1)} ms
              </Typography>
            )}
            <StatusChip status={c.status} />
          </Stack>
        </Stack>
      ))}
    </Stack>
  );
}

export function HomePage() {
  const { me } = useAuth();
  const can = useCan();
  const admin = can("manage_users");
  const facets = useQuery({ queryKey: [...keys.models, "facets", {}], queryFn: () => registryApi.facets({}) });
  const deployments = useQuery({ queryKey: [...keys.deployments, "total"], queryFn: () => registryApi.deployments({ limit: 1 }) });
  const executions = useQuery({ queryKey: [...keys.executions, "total"], queryFn: () => registryApi.executions({ limit: 1 }) });
  const users = useQuery({
    queryKey: [...keys.users, "total"],
    queryFn: () => fetchUsers({ cursor: null, limit: 1 }),
    enabled: admin,
  });
  const ready = useReadiness();
  const name = me?.name?.split(" ")[0] || me?.username;

  return (
    <>
      <Box sx={{ mb: 3 }}>
        <Typography variant="h4" component="h1">
          Welcome back, {name}
        </Typography>
        <Typography variant="body2" color="text.secondary" sx={{ mt: 0.5 }}>
          What is registered, deployed and running across the organisation.
        </Typography>
      </Box>
      <Grid container spacing={2} sx={{ mb: 2.5 }}>
        <Grid size={{ xs: 12, sm: 6, lg: 2.4 }}>
          <KpiCard label="Models" icon={<HubOutlinedIcon />} to="/models" loading={facets.isLoading} error={facets.error} value={formatCount(facets.data?.total)} hint="registered" />
        </Grid>
        <Grid size={{ xs: 12, sm: 6, lg: 2.4 }}>
          <KpiCard label="Deployments" icon={<ScheduleOutlinedIcon />} tone="secondary" to="/deployments" loading={deployments.isLoading} error={deployments.error} value={formatCount(deployments.data?.total)} hint="configured" />
        </Grid>
        <Grid size={{ xs: 12, sm: 6, lg: 2.4 }}>
          <KpiCard label="Executions" icon={<PlayCircleOutlineIcon />} tone="success" to="/executions" loading={executions.isLoading} error={executions.error} value={formatCount(executions.data?.total)} hint="all time" />
        </Grid>
        <Grid size={{ xs: 12, sm: 6, lg: 2.4 }}>
          {admin ? (
            <KpiCard label="Users" icon={<PeopleAltOutlinedIcon />} tone="warning" to="/users" loading={users.isLoading} error={users.error} value={formatCount(users.data?.total)} hint="accounts" />
          ) : (
            <KpiCard label="Your role" icon={<BadgeOutlinedIcon />} tone="warning" value={<Typography variant="h6" component="span">{me?.roles.map(roleLabel).join(", ")}</Typography>} />
          )}
        </Grid>
        <Grid size={{ xs: 12, sm: 6, lg: 2.4 }}>
          <KpiCard
            label="System"
            icon={<MonitorHeartOutlinedIcon />}
            tone={ready.data?.status === "ok" ? "success" : "error"}
            loading={ready.isLoading}
            error={ready.error}
            value={ready.data?.status === "ok" ? "Healthy" : "Degraded"}
            hint={`${Object.keys(ready.data?.components ?? {}).length} components`}
          />
        </Grid>
      </Grid>
      <Grid container spacing={2.5}>
        <MetricsCharts />
        <Grid size={{ xs: 12, lg: 7 }}>
          <Panel
            title="Models by department"
            action={
              <Button size="small" component={RouterLink} to="/reports">
                All reports
              </Button>
            }
          >
            {facets.isLoading ? (
              <InlineLoader />
            ) : facets.error ? (
              <ErrorState compact error={facets.error} onRetry={() => void facets.refetch()} unavailable={{ feature: "Models", path: "/api/models/facets" }} />
            ) : (
              <FacetChart values={facets.data?.facets.department ?? []} />
            )}
          </Panel>
        </Grid>
        <Grid size={{ xs: 12, lg: 5 }}>
          <Panel
            title={admin ? "Recent activity" : "Recently updated models"}
            action={
              <Button size="small" component={RouterLink} to={admin ? "/audit" : "/models"}>
                See all
              </Button>
            }
          >
            {admin ? <RecentActivity /> : <RecentModels />}
          </Panel>
        </Grid>
        <Grid size={{ xs: 12, lg: 7 }}>
          <Panel title="Recent executions">
            <RecentExecutions />
          </Panel>
        </Grid>
        <Grid size={{ xs: 12, lg: 5 }}>
          <Panel title="System status">
            <SystemStatus />
          </Panel>
        </Grid>
      </Grid>
    </>
  );
}

function RecentExecutions() {
  const executions = useQuery({ queryKey: [...keys.executions, "recent"], queryFn: () => registryApi.executions({ limit: 5 }) });
  if (executions.isLoading) return <InlineLoader />;
  if (executions.error)
    return (
      <ErrorState compact error={executions.error} onRetry={() => void executions.refetch()} unavailable={{ feature: "Executions", path: "/api/executions" }} />
    );
  if (!executions.data?.items.length)
    return <EmptyState compact title="Nothing has run yet" description="Executions show up here as deployments run." />;
  return (
    <List dense disablePadding>
      {executions.data.items.map((e) => (
        <ListItem key={e.id} disableGutters divider secondaryAction={<StatusChip status={e.status} />}>
          <ListItemText
            primary={`${e.deployment_name} · ${e.model_name}${e.model_version ? ` v${e.model_version}` : ""}`}
            secondary={`${humanize(e.kind)} · ${e.trigger === "schedule" ? "on schedule" : `by ${e.triggered_by}`} · ${timeAgo(e.started_at ?? e.created_at)}`}
          />
        </ListItem>
      ))}
    </List>
  );
}
