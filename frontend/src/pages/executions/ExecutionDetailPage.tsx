import { useState } from "react";
import { Alert, Box, Button, Card, CardContent, CardHeader, Grid, IconButton, Link, List, ListItem, ListItemText, Skeleton, Stack, Tooltip, Typography } from "@mui/material";
import DownloadOutlinedIcon from "@mui/icons-material/DownloadOutlined";
import PlayCircleOutlineIcon from "@mui/icons-material/PlayCircleOutline";
import StopCircleOutlinedIcon from "@mui/icons-material/StopCircleOutlined";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link as RouterLink, useParams } from "react-router";
import { downloadFile } from "../../api/download";
import { describeError } from "../../api/errors";
import { keys } from "../../api/hooks";
import { FINAL_STATUSES, registryApi, type Execution, type Task } from "../../api/registry";
import { useAuth, useCan } from "../../auth/context";
import { StatusChip } from "../../components/Chips";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { ErrorState } from "../../components/ErrorState";
import { formatBytes, formatCount, formatDateTime, formatDuration, humanize, timeAgo } from "../../components/format";
import { PageHeader } from "../../components/PageHeader";
import { RecordNotLoaded } from "../../components/RecordNotLoaded";
import { Fact } from "../../components/SideDrawer";
import { Toast, type ToastMessage } from "../../components/Toast";
import { LogViewer } from "./LogViewer";
import { executionDuration, timelineBars } from "./timeline";

const BAR_COLORS: Record<string, string> = {
  success: "#2e7d32",
  failed: "#c62828",
  upstream_failed: "#ef9a9a",
  running: "#0277bd",
  queued: "#90a4ae",
  scheduled: "#90a4ae",
  skipped: "#bdbdbd",
  up_for_retry: "#f9a825",
};

function Timeline({ tasks, live }: { tasks: Task[]; live: boolean }) {
  const { bars, from, to } = timelineBars(tasks);
  if (!tasks.length)
    return (
      <Typography variant="body2" color="text.secondary">
        {live ? "The tasks appear when Airflow starts the run." : "Airflow reported no task for this run."}
      </Typography>
    );
  return (
    <Box data-testid="task-timeline">
      {bars.map((bar) => (
        <Stack key={bar.task} direction="row" alignItems="center" spacing={1.5} sx={{ mb: 1 }}>
          <Box sx={{ width: 150, flexShrink: 0, minWidth: 0 }}>
            <Typography variant="body2" fontFamily="monospace" noWrap title={bar.task}>
              {bar.task}
            </Typography>
            <Typography variant="caption" color="text.secondary">
              {humanize(bar.state ?? "waiting")}
            </Typography>
          </Box>
          <Box sx={{ position: "relative", flexGrow: 1, height: 22, bgcolor: "action.hover", borderRadius: 1 }}>
            {bar.start !== null && (
              <Tooltip title={`${new Date(bar.start).toLocaleTimeString()} → ${bar.running ? "running" : new Date(bar.end!).toLocaleTimeString()} · ${formatDuration((bar.end! - bar.start) / 1000)}`}>
                <Box
                  data-testid={`bar-${bar.task}`}
                  sx={{
                    position: "absolute",
                    top: 3,
                    bottom: 3,
                    left: `${bar.left}%`,
                    width: `${bar.width}%`,
                    bgcolor: BAR_COLORS[bar.state ?? ""] ?? "#78909c",
                    borderRadius: 0.75,
                    animation: bar.running ? "pulse 1.6s ease-in-out infinite" : undefined,
                    "@keyframes pulse": { "0%, 100%": { opacity: 1 }, "50%": { opacity: 0.55 } },
                  }}
                />
              </Tooltip>
            )}
          </Box>
          <Typography variant="caption" color="text.secondary" sx={{ width: 70, textAlign: "right" }}>
            {bar.start !== null ? formatDuration((bar.end! - bar.start) / 1000) : "—"}
          </Typography>
        </Stack>
      ))}
      {from !== null && to !== null && (
        <Stack direction="row" justifyContent="space-between" sx={{ pl: "162px", pr: "82px" }}>
          <Typography variant="caption" color="text.secondary">
            {new Date(from).toLocaleTimeString()}
          </Typography>
          <Typography variant="caption" color="text.secondary">
            {new Date(to).toLocaleTimeString()}
          </Typography>
        </Stack>
      )}
    </Box>
  );
}

function Results({ execution }: { execution: Execution }) {
  const final = FINAL_STATUSES.includes(execution.status);
  const results = useQuery({
    queryKey: [...keys.executions, execution.id, "results", execution.status],
    queryFn: () => registryApi.results(execution.id),
  });
  const [failure, setFailure] = useState<string | null>(null);
  if (results.isLoading) return <Skeleton variant="rounded" height={60} />;
  if (results.isError) return <ErrorState compact error={results.error} onRetry={() => void results.refetch()} />;
  const items = results.data ?? [];
  if (!items.length)
    return (
      <Typography variant="body2" color="text.secondary">
        {final ? "This execution wrote no result file." : "Results (predictions, metrics, plots) appear here when the run writes them."}
      </Typography>
    );
  return (
    <>
      {failure && (
        <Alert severity="error" sx={{ mb: 1 }} onClose={() => setFailure(null)}>
          {failure}
        </Alert>
      )}
      <List dense disablePadding aria-label="results">
        {items.map((r) => {
          const summary = execution.results?.find((s) => s.name === r.name);
          return (
            <ListItem
              key={r.name}
              disableGutters
              secondaryAction={
                <IconButton
                  aria-label={`download ${r.name}`}
                  onClick={() => void downloadFile(r.download_path, r.name.split("/").pop() ?? r.name).catch((e) => setFailure(describeError(e).message))}
                >
                  <DownloadOutlinedIcon />
                </IconButton>
              }
            >
              <ListItemText
                primary={r.name}
                secondary={[formatBytes(r.size), summary?.rows !== undefined && summary?.rows !== null ? `${formatCount(summary.rows)} rows` : null, r.content_type].filter(Boolean).join(" · ")}
                slotProps={{ primary: { fontFamily: "monospace", fontSize: 13 } }}
              />
            </ListItem>
          );
        })}
      </List>
    </>
  );
}

export function ExecutionDetailPage() {
  const { executionId = "" } = useParams();
  const can = useCan();
  const { me } = useAuth();
  const client = useQueryClient();
  const [confirm, setConfirm] = useState(false);
  const [toast, setToast] = useState<ToastMessage | null>(null);
  const execution = useQuery({
    queryKey: [...keys.executions, "detail", executionId],
    queryFn: () => registryApi.execution(executionId),
    // live status: ask again while the run is not over
    refetchInterval: (q) => (q.state.data && FINAL_STATUSES.includes(q.state.data.status) ? false : 2000),
  });
  const cancel = useMutation({
    mutationFn: () => registryApi.cancel(executionId),
    onSuccess: (e) => {
      client.setQueryData([...keys.executions, "detail", executionId], e);
      void client.invalidateQueries({ queryKey: keys.executions });
      setToast({ text: "Execution cancelled" });
    },
    onError: (error) => setToast({ text: describeError(error).message, severity: "error" }),
  });

  if (execution.isLoading)
    return (
      <Box aria-busy="true">
        <Skeleton width={340} height={48} />
        <Skeleton variant="rounded" height={160} sx={{ mt: 2 }} />
        <Skeleton variant="rounded" height={300} sx={{ mt: 2 }} />
      </Box>
    );
  if (execution.error || !execution.data)
    return (
      <RecordNotLoaded
        title="Execution"
        list={{ label: "Executions", to: "/executions" }}
        id={executionId}
        icon={<PlayCircleOutlineIcon />}
        missing={{
          title: "This execution does not exist",
          description: "Check the link, or find the run in the list of executions.",
          action: "All executions",
        }}
        error={execution.error}
        onRetry={() => void execution.refetch()}
      />
    );
  const e = execution.data;
  const live = !FINAL_STATUSES.includes(e.status);
  const mine = e.triggered_by === me?.username;
  const canCancel = live && can("trigger_executions") && (mine || can("cancel_any_execution"));
  const tasks = e.tasks ?? [];
  const taskNames = tasks.length ? tasks.map((t) => t.task_id) : [e.kind];
  return (
    <>
      <PageHeader
        crumbs={[{ label: "Executions", to: "/executions" }, { label: e.id.slice(0, 12) }]}
        title={
          <Stack direction="row" spacing={1.5} alignItems="center" component="span">
            <span>{e.deployment_name}</span>
            <StatusChip status={e.status} />
          </Stack>
        }
        subtitle={`${humanize(e.kind)} of ${e.model_name}${e.model_version ? ` v${e.model_version}` : e.alias ? ` (alias ${e.alias})` : ""} · ${e.trigger === "schedule" ? "started by the schedule" : `triggered by ${e.triggered_by}`} ${timeAgo(e.created_at)}`}
        actions={
          <>
            <Button variant="outlined" component={RouterLink} to={`/deployments/${e.deployment_id}`}>
              Deployment
            </Button>
            {canCancel && (
              <Button color="error" variant="outlined" startIcon={<StopCircleOutlinedIcon />} onClick={() => setConfirm(true)} disabled={cancel.isPending}>
                Cancel run
              </Button>
            )}
          </>
        }
      />
      {e.message && (
        <Alert severity={e.status === "failed" ? "error" : e.status === "cancelled" ? "warning" : "info"} sx={{ mb: 2 }} data-testid="execution-message">
          {e.message}
        </Alert>
      )}
      <Grid container spacing={2.5}>
        <Grid size={{ xs: 12, lg: 8 }}>
          <Stack spacing={2.5}>
            <Card>
              <CardContent>
                <Grid container spacing={2.5}>
                  <Grid size={{ xs: 6, sm: 3 }}>
                    <Fact label="Status">
                      <span data-testid="execution-status">{humanize(e.status)}</span>
                      {live && (
                        <Typography variant="caption" color="text.secondary" component="div">
                          updating live
                        </Typography>
                      )}
                    </Fact>
                  </Grid>
                  <Grid size={{ xs: 6, sm: 3 }}>
                    <Fact label="Created">{formatDateTime(e.created_at)}</Fact>
                  </Grid>
                  <Grid size={{ xs: 6, sm: 3 }}>
                    <Fact label="Started">{formatDateTime(e.started_at)}</Fact>
                  </Grid>
                  <Grid size={{ xs: 6, sm: 3 }}>
                    <Fact label="Duration">{formatDuration(executionDuration(e))}</Fact>
                  </Grid>
                  <Grid size={{ xs: 6, sm: 3 }}>
                    <Fact label="Model">
                      <Link component={RouterLink} to={`/models/${encodeURIComponent(e.model_id)}`}>
                        {e.model_name}
                      </Link>
                      {e.model_version ? ` v${e.model_version}` : ""}
                    </Fact>
                  </Grid>
                  <Grid size={{ xs: 6, sm: 3 }}>
                    <Fact label="Rows">{formatCount(e.rows)}</Fact>
                  </Grid>
                  <Grid size={{ xs: 12, sm: 6 }}>
                    <Fact label="Airflow run">
                      <Typography fontFamily="monospace" fontSize={12.5}>
                        {e.dag_id}
                        {e.run_id ? ` / ${e.run_id}` : " (not started yet)"}
                      </Typography>
                    </Fact>
                  </Grid>
                </Grid>
              </CardContent>
            </Card>
            <Card>
              <CardHeader title="Tasks" titleTypographyProps={{ variant: "subtitle1" }} sx={{ pb: 0 }} />
              <CardContent>
                <Timeline tasks={tasks} live={live} />
              </CardContent>
            </Card>
            <Card>
              <CardHeader title="Log" titleTypographyProps={{ variant: "subtitle1" }} sx={{ pb: 0 }} />
              <CardContent>
                {can("read_logs") ? (
                  <LogViewer key={taskNames.join()} executionId={e.id} tasks={taskNames} defaultTask={taskNames.includes(e.kind) ? e.kind : taskNames[0]} active={live} />
                ) : (
                  <Typography variant="body2" color="text.secondary">
                    Your role cannot read execution logs.
                  </Typography>
                )}
              </CardContent>
            </Card>
          </Stack>
        </Grid>
        <Grid size={{ xs: 12, lg: 4 }}>
          <Stack spacing={2.5}>
            <Card>
              <CardHeader title="Results" titleTypographyProps={{ variant: "subtitle1" }} sx={{ pb: 0 }} />
              <CardContent>
                <Results execution={e} />
              </CardContent>
            </Card>
            <Card>
              <CardHeader title="Parameters" titleTypographyProps={{ variant: "subtitle1" }} sx={{ pb: 0 }} />
              <CardContent>
                {Object.keys(e.params ?? {}).length ? (
                  <Box component="pre" sx={{ m: 0, fontSize: 12, whiteSpace: "pre-wrap" }}>
                    {JSON.stringify(e.params, null, 2)}
                  </Box>
                ) : (
                  <Typography variant="body2" color="text.secondary">
                    the pipeline's defaults
                  </Typography>
                )}
              </CardContent>
            </Card>
          </Stack>
        </Grid>
      </Grid>
      <ConfirmDialog
        open={confirm}
        title="Cancel this run?"
        confirmLabel="Cancel run"
        danger
        busy={cancel.isPending}
        onConfirm={() => {
          cancel.mutate();
          setConfirm(false);
        }}
        onClose={() => setConfirm(false)}
      >
        Airflow stops its tasks; results already written stay. You can run the deployment again afterwards.
      </ConfirmDialog>
      <Toast message={toast} onClose={() => setToast(null)} />
    </>
  );
}
