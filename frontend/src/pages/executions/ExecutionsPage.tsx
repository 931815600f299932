import { useState } from "react";
import { Box, Button, Link, ToggleButton, ToggleButtonGroup, Typography } from "@mui/material";
import type { GridColDef } from "@mui/x-data-grid";
import PlayCircleOutlineIcon from "@mui/icons-material/PlayCircleOutline";
import { Link as RouterLink, useNavigate } from "react-router";
import { isUnavailable } from "../../api/errors";
import { keys } from "../../api/hooks";
import { EXECUTION_STATUSES, registryApi, type Execution, type ExecutionStatus } from "../../api/registry";
import { StatusChip } from "../../components/Chips";
import { EmptyState } from "../../components/EmptyState";
import { FilterBar } from "../../components/FilterBar";
import { FILTER_FIELD_SX } from "../../components/styles";
import { formatCount, formatDateTime, formatDuration, humanize } from "../../components/format";
import { ServerDataGrid } from "../../components/grid/ServerDataGrid";
import { useCursorQuery } from "../../components/grid/useCursorQuery";
import { PageHeader } from "../../components/PageHeader";
import { executionDuration } from "./timeline";

const columns: GridColDef<Execution>[] = [
  { field: "status", headerName: "State", width: 110, renderCell: ({ row }) => <StatusChip status={row.status} /> },
  {
    field: "deployment_name",
    headerName: "Deployment",
    flex: 1,
    minWidth: 200,
    renderCell: ({ row }) => (
      <Box sx={{ py: 0.75, lineHeight: 1.25, minWidth: 0 }}>
        <Link component={RouterLink} to={`/executions/${row.id}`} fontWeight={600} underline="hover" onClick={(e) => e.stopPropagation()}>
          {row.deployment_name}
        </Link>
        <Typography variant="caption" color="text.secondary" noWrap component="div">
          <Link component={RouterLink} to={`/models/${encodeURIComponent(row.model_id)}`} underline="hover" onClick={(e) => e.stopPropagation()}>
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
  { field: "duration", headerName: "Duration", width: 110, valueGetter: (_v, row) => formatDuration(executionDuration(row)) },
  { field: "rows", headerName: "Rows", width: 90, valueFormatter: (v: number | null) => formatCount(v) },
];

function useExecutionsGrid(status: ExecutionStatus | null, deploymentId?: string) {
  return useCursorQuery<Execution>({
    queryKey: keys.executions,
    filters: { status, deploymentId },
    fetchPage: ({ cursor, limit }) =>
      registryApi.executions({ status: status ? [status] : undefined, deployment_id: deploymentId, cursor, limit }),
  });
}

function ExecutionsGrid({
  grid,
  empty,
  hidden,
}: {
  grid: ReturnType<typeof useExecutionsGrid>;
  empty: React.ReactNode;
  hidden?: Record<string, boolean>;
}) {
  const navigate = useNavigate();
  return (
    <ServerDataGrid<Execution>
      aria-label="executions"
      rows={grid.rows}
      columns={columns}
      loading={grid.query.isFetching && !grid.rows.length}
      rowCount={grid.rowCount}
      paginationMeta={grid.paginationMeta}
      paginationModel={grid.paginationModel}
      onPaginationModelChange={grid.onPaginationModelChange}
      disableColumnSorting
      getRowHeight={() => 52}
      onRowClick={({ row }) => navigate(`/executions/${row.id}`)}
      initialState={hidden ? { columns: { columnVisibilityModel: hidden } } : undefined}
      sx={{ "& .MuiDataGrid-row": { cursor: "pointer" } }}
      error={grid.query.error}
      onRetry={() => void grid.query.refetch()}
      unavailable={{ feature: "Executions", path: "/api/executions" }}
      empty={empty}
    />
  );
}

/** One deployment's executions (its detail page). */
export function ExecutionsTable({ deploymentId }: { deploymentId: string }) {
  const grid = useExecutionsGrid(null, deploymentId);
  return (
    <ExecutionsGrid
      grid={grid}
      hidden={{ kind: false }}
      empty={
        <EmptyState
          compact
          icon={<PlayCircleOutlineIcon />}
          title="Not run yet"
          description="Runs appear here when the schedule fires (once resumed) or someone clicks Run now."
        />
      }
    />
  );
}

export function ExecutionsPage() {
  const [status, setStatus] = useState<ExecutionStatus | null>(null);
  const grid = useExecutionsGrid(status);
  const unavailable = isUnavailable(grid.query.error);
  return (
    <>
      <PageHeader title="Executions" subtitle="Every run of a deployment: its state, who triggered it, how long it took." />
      {!unavailable && (
        <FilterBar total={grid.total} noun="execution" active={!!status} onClear={() => setStatus(null)} label="execution filters">
          <ToggleButtonGroup size="small" exclusive value={status} onChange={(_e, v) => setStatus(v)} sx={FILTER_FIELD_SX} aria-label="state">
            {EXECUTION_STATUSES.map((s) => (
              <ToggleButton key={s} value={s} sx={{ px: 1.5 }}>
                {humanize(s)}
              </ToggleButton>
            ))}
          </ToggleButtonGroup>
        </FilterBar>
      )}
      <ExecutionsGrid
        grid={grid}
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
