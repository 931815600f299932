import { useState } from "react";
import { Alert, Box, Button, Card, CardContent, CardHeader, Chip, Grid, Link, List, ListItem, ListItemText, Skeleton, Stack, Tooltip, Typography } from "@mui/material";
import EditOutlinedIcon from "@mui/icons-material/EditOutlined";
import PauseCircleOutlineIcon from "@mui/icons-material/PauseCircleOutline";
import PlayArrowIcon from "@mui/icons-material/PlayArrow";
import PlayCircleOutlineIcon from "@mui/icons-material/PlayCircleOutline";
import ScheduleOutlinedIcon from "@mui/icons-material/ScheduleOutlined";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link as RouterLink, useLocation, useNavigate, useParams } from "react-router";
import { downloadFile } from "../../api/download";
import { describeError, isApiError } from "../../api/errors";
import { keys } from "../../api/hooks";
import { registryApi, type Deployment } from "../../api/registry";
import { useCan } from "../../auth/context";
import { StatusChip } from "../../components/Chips";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { describeCron } from "../../components/cron";
import { ErrorState } from "../../components/ErrorState";
import { formatBytes, formatCount, formatDateTime, humanize, timeAgo } from "../../components/format";
import { JsonBlock } from "../../components/JsonEditor";
import { PageHeader } from "../../components/PageHeader";
import { RecordNotLoaded } from "../../components/RecordNotLoaded";
import { Fact } from "../../components/SideDrawer";
import { Toast, type ToastMessage } from "../../components/Toast";
import { ExecutionsTable } from "../executions/ExecutionsPage";

function NextRuns({ deployment }: { deployment: Deployment }) {
  const preview = useQuery({
    queryKey: [...keys.deployments, deployment.id, "preview", deployment.revision, deployment.paused],
    queryFn: () => registryApi.deploymentPreview(deployment.id, 5),
    enabled: !!deployment.schedule,
  });
  if (!deployment.schedule)
    return (
      <Typography variant="body2" color="text.secondary">
        No schedule: runs only when someone triggers it.
      </Typography>
    );
  return (
    <Box data-testid="deployment-next-runs">
      <Typography variant="body2" fontWeight={600}>
        {describeCron(deployment.schedule)}
      </Typography>
      <Typography variant="caption" color="text.secondary" fontFamily="monospace">
        {deployment.cron ?? deployment.schedule} · {deployment.timezone}
      </Typography>
      {deployment.paused && (
        <Alert severity="warning" variant="outlined" sx={{ my: 1, py: 0 }}>
          Paused: these runs happen only once it is resumed.
        </Alert>
      )}
      {preview.isLoading ? (
        [0, 1, 2].map((i) => <Skeleton key={i} width={220} />)
      ) : preview.isError ? (
        <ErrorState compact error={preview.error} onRetry={() => void preview.refetch()} />
      ) : (
        <List dense disablePadding aria-label="next runs">
          {preview.data?.next_runs.map((run) => (
            <ListItem key={run} disableGutters sx={{ py: 0 }}>
              <ListItemText
                primary={new Intl.DateTimeFormat(undefined, { weekday: "short", dateStyle: undefined, day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: deployment.timezone }).format(new Date(run))}
                secondary={timeAgo(run)}
                slotProps={{ primary: { variant: "body2" } }}
              />
            </ListItem>
          ))}
        </List>
      )}
    </Box>
  );
}

/** The dataset a deployment reads, by name with its size and a download, rather than its id. */
function DatasetSummary({ id }: { id: string }) {
  const dataset = useQuery({ queryKey: ["datasets", id], queryFn: () => registryApi.dataset(id), staleTime: 60_000 });
  const [failed, setFailed] = useState<string | null>(null);
  if (dataset.isLoading) return <Skeleton width={140} />;
  if (!dataset.data) {
    const gone = isApiError(dataset.error) && dataset.error.status === 404;
    return (
      <Tooltip title={id}>
        <Typography variant="body2" color={gone ? "error" : "text.secondary"}>
          {gone ? "deleted: the next runs fail until the deployment names another dataset" : "could not be loaded"}
        </Typography>
      </Tooltip>
    );
  }
  const ds = dataset.data;
  return (
    <Box data-testid="deployment-dataset">
      <Tooltip describeChild title={`download · id ${ds.id} · sha256 ${ds.sha256}`}>
        <Link
          component="button"
          type="button"
          onClick={() => void downloadFile(ds.download_path, ds.filename).catch((e) => setFailed(describeError(e).message))}
          sx={{ fontWeight: 600, textAlign: "left" }}
        >
          {ds.name}
        </Link>
      </Tooltip>
      <Typography variant="caption" color="text.secondary" component="div">
        {formatCount(ds.row_count)} rows · {ds.columns.length} columns · {ds.format} · {formatBytes(ds.size)}
      </Typography>
      {failed && (
        <Typography variant="caption" color="error" component="div">
          {failed}
        </Typography>
      )}
    </Box>
  );
}

export function DeploymentDetailPage() {
  const { deploymentId = "" } = useParams();
  const can = useCan();
  const navigate = useNavigate();
  const location = useLocation();
  const client = useQueryClient();
  const [confirm, setConfirm] = useState<"pause" | "resume" | "trigger" | null>(null);
  const [toast, setToast] = useState<ToastMessage | null>(() => {
    const text = (location.state as { toast?: string } | null)?.toast;
    return text ? { text } : null;
  });
  const deployment = useQuery({
    queryKey: [...keys.deployments, "detail", deploymentId],
    queryFn: () => registryApi.deployment(deploymentId),
    // a just-saved deployment is "pending" until Airflow has it: look again shortly
    refetchInterval: (q) => (q.state.data?.sync.state === "pending" ? 5000 : false),
  });
  const action = useMutation({
    mutationFn: async (kind: "pause" | "resume" | "trigger") => {
      if (kind === "trigger") return { execution: await registryApi.trigger(deploymentId) };
      return { deployment: kind === "pause" ? await registryApi.pause(deploymentId) : await registryApi.resume(deploymentId) };
    },
    onSuccess: (result) => {
      if (result.deployment) client.setQueryData([...keys.deployments, "detail", deploymentId], result.deployment);
      void client.invalidateQueries({ queryKey: keys.deployments });
      void client.invalidateQueries({ queryKey: keys.executions });
      if (result.execution) navigate(`/executions/${result.execution.id}`);
      else setToast({ text: result.deployment?.paused ? "Paused: no scheduled run until resumed" : "Resumed: runs from the next scheduled time" });
    },
    onError: (error) => setToast({ text: describeError(error).message, severity: "error" }),
  });

  if (deployment.isLoading)
    return (
      <Box aria-busy="true">
        <Skeleton width={320} height={48} />
        <Skeleton variant="rounded" height={220} sx={{ mt: 2 }} />
      </Box>
    );
  if (deployment.error || !deployment.data)
    return (
      <RecordNotLoaded
        title="Deployment"
        list={{ label: "Deployments", to: "/deployments" }}
        id={deploymentId}
        icon={<ScheduleOutlinedIcon />}
        missing={{
          title: "This deployment does not exist",
          description: "It may have been deleted. Go back to the list to find it.",
          action: "All deployments",
        }}
        error={deployment.error}
        onRetry={() => void deployment.refetch()}
      />
    );
  const d = deployment.data;
  const target = d.alias ? `alias ${d.alias}` : d.version ? `v${d.version}` : "latest version";
  return (
    <>
      <PageHeader
        crumbs={[{ label: "Deployments", to: "/deployments" }, { label: d.name }]}
        title={d.name}
        subtitle={d.description || `${humanize(d.kind)} of ${d.model_name} (${target})`}
        actions={
          <>
            <Box sx={{ alignSelf: "center" }}>
              <StatusChip status={d.status} />
            </Box>
            {can("manage_deployments") && (
              <>
                <Button variant="outlined" startIcon={<EditOutlinedIcon />} component={RouterLink} to={`/deployments/${d.id}/edit`}>
                  Edit
                </Button>
                <Button
                  variant="outlined"
                  startIcon={d.paused ? <PlayCircleOutlineIcon /> : <PauseCircleOutlineIcon />}
                  onClick={() => setConfirm(d.paused ? "resume" : "pause")}
                >
                  {d.paused ? "Resume" : "Pause"}
                </Button>
              </>
            )}
            {can("trigger_executions") && (
              <Tooltip title={d.paused ? "Resume the deployment to run it" : ""}>
                <span>
                  <Button variant="contained" startIcon={<PlayArrowIcon />} disabled={d.paused || action.isPending} onClick={() => setConfirm("trigger")}>
                    Run now
                  </Button>
                </span>
              </Tooltip>
            )}
          </>
        }
      />
      {d.sync.state === "pending" && (
        <Alert severity="info" sx={{ mb: 2 }}>
          Airflow has not picked up the latest change yet{d.sync.error ? `: ${d.sync.error}` : ""}. It is applied in the background; this page refreshes by itself.
        </Alert>
      )}
      <Grid container spacing={2.5}>
        <Grid size={{ xs: 12, lg: 8 }}>
          <Stack spacing={2.5}>
            <Card>
              <CardContent>
                <Grid container spacing={2.5}>
                  <Grid size={{ xs: 6, sm: 4 }}>
                    <Fact label="Model">
                      <Link component={RouterLink} to={`/models/${encodeURIComponent(d.model_id)}`}>
                        {d.model_name}
                      </Link>{" "}
                      · {target}
                    </Fact>
                  </Grid>
                  <Grid size={{ xs: 6, sm: 4 }}>
                    <Fact label="Pipeline">{humanize(d.kind)}</Fact>
                  </Grid>
                  <Grid size={{ xs: 6, sm: 4 }}>
                    <Fact label="Dataset">{d.dataset_id ? <DatasetSummary id={d.dataset_id} /> : null}</Fact>
                  </Grid>
                  <Grid size={{ xs: 6, sm: 4 }}>
                    <Fact label="Airflow DAG">
                      <Typography fontFamily="monospace" fontSize={13}>
                        {d.dag_id}
                      </Typography>
                      <Chip size="small" variant="outlined" color={d.sync.state === "synced" ? "success" : "warning"} label={d.sync.state} sx={{ mt: 0.5 }} />
                    </Fact>
                  </Grid>
                  <Grid size={{ xs: 6, sm: 4 }}>
                    <Fact label="Created">
                      {formatDateTime(d.created_at)} by {d.created_by}
                    </Fact>
                  </Grid>
                  <Grid size={{ xs: 6, sm: 4 }}>
                    <Fact label="Updated">
                      {timeAgo(d.updated_at)}
                      {d.updated_by ? ` by ${d.updated_by}` : ""} · revision {d.revision}
                    </Fact>
                  </Grid>
                  <Grid size={12}>
                    <Fact label="Parameters">
                      {Object.keys(d.params ?? {}).length ? <JsonBlock value={d.params} /> : <Typography variant="body2" color="text.secondary">the pipeline's defaults</Typography>}
                    </Fact>
                  </Grid>
                </Grid>
              </CardContent>
            </Card>
            <Box>
              <Typography variant="h6" sx={{ mb: 1.5 }}>
                Executions
              </Typography>
              <ExecutionsTable deploymentId={d.id} />
            </Box>
          </Stack>
        </Grid>
        <Grid size={{ xs: 12, lg: 4 }}>
          <Card>
            <CardHeader title="Schedule" avatar={<ScheduleOutlinedIcon color="action" />} titleTypographyProps={{ variant: "subtitle1" }} sx={{ pb: 0 }} />
            <CardContent>
              <NextRuns deployment={d} />
            </CardContent>
          </Card>
        </Grid>
      </Grid>
      <ConfirmDialog
        open={!!confirm}
        title={confirm === "pause" ? `Pause ${d.name}?` : confirm === "resume" ? `Resume ${d.name}?` : `Run ${d.name} now?`}
        confirmLabel={confirm === "pause" ? "Pause" : confirm === "resume" ? "Resume" : "Run now"}
        danger={confirm === "pause"}
        busy={action.isPending}
        onConfirm={() => {
          if (confirm) action.mutate(confirm);
          setConfirm(null);
        }}
        onClose={() => setConfirm(null)}
      >
        {confirm === "pause"
          ? "No scheduled run starts while it is paused. Runs already going continue."
          : confirm === "resume"
            ? d.schedule
              ? `It runs from the next scheduled time on (${describeCron(d.schedule).toLowerCase()}); runs missed while paused are not made up.`
              : "It can be run on demand again."
            : `Starts a ${humanize(d.kind).toLowerCase()} run of ${d.model_name} (${target}) with the deployment's parameters.`}
      </ConfirmDialog>
      <Toast message={toast} onClose={() => setToast(null)} />
    </>
  );
}
