import { useState } from "react";
import { Box, Button, Link, Stack, ToggleButton, ToggleButtonGroup, Typography } from "@mui/material";
import type { GridColDef } from "@mui/x-data-grid";
import PlayCircleOutlineIcon from "@mui/icons-material/PlayCircleOutline";
import { Link as RouterLink } from "react-router";
import { isUnavailable } from "../../api/errors";
import { keys } from "../../api/hooks";
import { EXECUTION_STATUSES, registryApi, type Execution, type ExecutionStatus } from "../../api/registry";
import { StatusChip } from "../../components/Chips";
import { EmptyState } from "../../components/EmptyState";
import { formatCount, formatDateTime, formatDuration, humanize } from "../../components/format";
import { ServerDataGrid } from "../../components/grid/ServerDataGrid";
import { useCursorQuery } from "../../components/grid/useCursorQuery";
import { PageHeader } from "../../components/PageHeader";

function duration(row: Execution): number | null {
  if (row.duration_s !== undefined && row.duration_s !== null) return row.duration_s;
  if (!row.started_at) return null;
  const end = row.ended_at ? new Date(row.ended_at).getTime() : Date.now();
  return (end - new Date(row.started_at).getTime()) / 1000;
}

const columns: GridColDef<Execution>[] = [
  { field: "status", headerName: "State", width: 110, renderCell: ({ row }) => <StatusChip status={row.status} /> },
  {
    field: "deployment_name",
    headerName: "Deployment",
    flex: 1,
    minWidth: 200,
    renderCell: ({ row }) => (
      <Box sx={{ py: 0.75, lineHeight: 1.25, minWidth: 0 }}>
        <Typography variant="body2" fontWeight={600} noWrap>
          {row.deployment_name}
        </Typography>
        <Typography variant="caption" color="text.secondary" noWrap component="div">
          <Link component={RouterLink} to={`/models/${encodeURIComponent(row.model_id)}`} underline="hover">
            {row.model_name}
          </Link>
          {row.model_version ? ` · v${row.model_version}` : ""}
        </Typography>
      </Box>
    ),
  },
  { field: "kind", headerName: "Pipeline", width: 130, valueFormatter: (v: string) => humanize(v) },
  {
    field: "triggered_by",
    headerName: "Triggered by",
    width: 150,
    valueGetter: (_v, row) => (row.trigger === "schedule" ? "schedule" : row.triggered_by),
  },
  { field: "created_at", headerName: "Created", width: 170, valueFormatter: (v: string) => formatDateTime(v) },
  { field: "duration", headerName: "Duration", width: 110, valueGetter: (_v, row) => formatDuration(duration(row)) },
  { field: "rows", headerName: "Rows", width: 90, valueFormatter: (v: number | null) => formatCount(v) },
];

export function ExecutionsPage() {
  const [status, setStatus] = useState<ExecutionStatus | null>(null);
  const grid = useCursorQuery<Execution>({
    queryKey: keys.executions,
    filters: { status },
    fetchPage: ({ cursor, limit }) => registryApi.executions({ status: status ? [status] : undefined, cursor, limit }),
  });
  const unavailable = isUnavailable(grid.query.error);
  return (
    <>
      <PageHeader title="Executions" subtitle="Every run of a deployment: its state, who triggered it, how long it took." />
      {!unavailable && (
        <Stack direction="row" spacing={1.5} alignItems="center" sx={{ mb: 2 }}>
          <ToggleButtonGroup size="small" exclusive value={status} onChange={(_e, v) => setStatus(v)} sx={{ bgcolor: "background.paper" }}>
            {EXECUTION_STATUSES.map((s) => (
              <ToggleButton key={s} value={s} sx={{ px: 1.5 }}>
                {humanize(s)}
              </ToggleButton>
            ))}
          </ToggleButtonGroup>
          <Box sx={{ flexGrow: 1 }} />
          {grid.total !== null && (
            <Typography variant="body2" color="text.secondary">
              {formatCount(grid.total)} {grid.total === 1 ? "execution" : "executions"}
            </Typography>
          )}
        </Stack>
      )}
      <ServerDataGrid<Execution>
        aria-label="executions"
        rows={grid.rows}
        columns={columns}
        loading={grid.query.isFetching}
        rowCount={grid.rowCount}
        paginationMeta={grid.paginationMeta}
        paginationModel={grid.paginationModel}
        onPaginationModelChange={grid.onPaginationModelChange}
        disableColumnSorting
        getRowHeight={() => 52}
        error={grid.query.error}
        onRetry={() => void grid.query.refetch()}
        unavailable={{ feature: "Executions", path: "/api/executions" }}
        empty={
          <EmptyState
            compact
            icon={<PlayCircleOutlineIcon />}
            title={status ? `No ${status} execution` : "No executions yet"}
            description="Executions appear when a deployment runs on its schedule or someone triggers it."
            action={
              <Button variant="outlined" component={RouterLink} to="/deployments">
                Go to deployments
              </Button>
            }
          />
        }
      />
    </>
  );
}
