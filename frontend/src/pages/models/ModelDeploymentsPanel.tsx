import { Box, Button, Card, CardContent, CardHeader, Link, Skeleton, Stack, Tooltip, Typography } from "@mui/material";
import RocketLaunchOutlinedIcon from "@mui/icons-material/RocketLaunchOutlined";
import { useInfiniteQuery } from "@tanstack/react-query";
import { Link as RouterLink } from "react-router";
import { keys } from "../../api/hooks";
import { registryApi, type Deployment, type Model } from "../../api/registry";
import { useCan } from "../../auth/context";
import { StatusChip } from "../../components/Chips";
import { describeCron } from "../../components/cron";
import { EmptyState } from "../../components/EmptyState";
import { ErrorState } from "../../components/ErrorState";
import { humanize, timeAgo } from "../../components/format";

const PAGE = 10;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function target(d: Deployment): string {
  return d.alias ? `alias ${d.alias}` : d.version ? `v${d.version}` : "latest version";
}

function DeploymentRow({ deployment: d }: { deployment: Deployment }) {
  return (
    <Stack direction="row" alignItems="center" spacing={1.5} sx={{ py: 1, borderTop: 1, borderColor: "divider" }} data-testid="model-deployment">
      <Box sx={{ flexGrow: 1, minWidth: 0 }}>
        <Link component={RouterLink} to={`/deployments/${d.id}`} fontWeight={600} underline="hover" noWrap display="block">
          {d.name}
        </Link>
        <Typography variant="caption" color="text.secondary" noWrap component="div">
          {humanize(d.kind)} · {target(d)} · updated {timeAgo(d.updated_at)}
        </Typography>
      </Box>
      <Tooltip title={d.schedule ? `${d.schedule} (${d.timezone})` : "runs when someone triggers it"}>
        <Typography variant="body2" color="text.secondary" noWrap sx={{ maxWidth: 220 }}>
          {d.schedule ? describeCron(d.schedule) : "on demand"}
        </Typography>
      </Tooltip>
      <StatusChip status={d.status} />
    </Stack>
  );
}

/** The deployments that run this model, any pipeline kind, with their schedule and state. */
export function ModelDeploymentsPanel({ model }: { model: Model }) {
  const can = useCan();
  const deployments = useInfiniteQuery({
    queryKey: [...keys.deployments, "of-model", model.id],
    queryFn: ({ pageParam }) => registryApi.deployments({ model: model.id, sort: "name", limit: PAGE, cursor: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const items = deployments.data?.pages.flatMap((p) => p.items) ?? [];
  const total = deployments.data?.pages[0]?.total;
  const canDeploy = can("manage_deployments") && !!model.latest_version;
  const deploy = (
    <Button size="small" component={RouterLink} to={`/deployments/new?model=${encodeURIComponent(model.id)}`} startIcon={<RocketLaunchOutlinedIcon />}>
      Deploy
    </Button>
  );
  return (
    <Card>
      <CardHeader
        title="Deployments"
        subheader={items.length ? plural(total ?? items.length, "deployment") : undefined}
        avatar={<RocketLaunchOutlinedIcon color="action" />}
        titleTypographyProps={{ variant: "subtitle1" }}
        action={canDeploy && items.length > 0 ? deploy : undefined}
        sx={{ pb: 0 }}
      />
      <CardContent>
        {deployments.isLoading ? (
          <Stack spacing={1}>
            <Skeleton variant="rounded" height={40} />
            <Skeleton variant="rounded" height={40} />
          </Stack>
        ) : deployments.isError ? (
          <ErrorState compact error={deployments.error} onRetry={() => void deployments.refetch()} />
        ) : items.length === 0 ? (
          <EmptyState
            compact
            icon={<RocketLaunchOutlinedIcon />}
            title="Not deployed yet"
            description="A deployment runs this model as batch scoring, training, evaluation or monitoring, on demand or on a schedule."
            action={canDeploy ? deploy : undefined}
          />
        ) : (
          <Box aria-label="deployments of this model">
            {items.map((d) => (
              <DeploymentRow key={d.id} deployment={d} />
            ))}
            {deployments.hasNextPage && (
              <Button size="small" sx={{ mt: 1 }} disabled={deployments.isFetchingNextPage} onClick={() => void deployments.fetchNextPage()}>
                {deployments.isFetchingNextPage ? "Loading…" : `Show more (${(total ?? 0) - items.length} left)`}
              </Button>
            )}
          </Box>
        )}
      </CardContent>
    </Card>
  );
}
