import { useState } from "react";
import { Box, Button, Link, MenuItem, TextField, ToggleButton, ToggleButtonGroup, Tooltip, Typography } from "@mui/material";
import type { GridColDef } from "@mui/x-data-grid";
import AddIcon from "@mui/icons-material/Add";
import ScheduleOutlinedIcon from "@mui/icons-material/ScheduleOutlined";
import { Link as RouterLink, useNavigate } from "react-router";
import { isUnavailable } from "../../api/errors";
import { keys } from "../../api/hooks";
import { PIPELINE_KINDS, registryApi, type Deployment, type PipelineKind } from "../../api/registry";
import { useCan } from "../../auth/context";
import { StatusChip } from "../../components/Chips";
import { EmptyState } from "../../components/EmptyState";
import { FilterBar } from "../../components/FilterBar";
import { FILTER_FIELD_SX } from "../../components/styles";
import { humanize, timeAgo } from "../../components/format";
import { ServerDataGrid } from "../../components/grid/ServerDataGrid";
import { useCursorQuery } from "../../components/grid/useCursorQuery";
import { PageHeader } from "../../components/PageHeader";
import { SearchField } from "../../components/SearchField";

const columns: GridColDef<Deployment>[] = [
  {
    field: "name",
    headerName: "Deployment",
    flex: 1.5,
    minWidth: 220,
    renderCell: ({ row }) => (
      <Box sx={{ py: 0.75, lineHeight: 1.25, minWidth: 0 }}>
        <Link component={RouterLink} to={`/deployments/${row.id}`} fontWeight={600} underline="hover" noWrap onClick={(e) => e.stopPropagation()}>
          {row.name}
        </Link>
        <Typography variant="caption" color="text.secondary" noWrap component="div">
          <Link component={RouterLink} to={`/models/${encodeURIComponent(row.model_id)}`} underline="hover">
            {row.model_name}
          </Link>{" "}
          · {row.alias ? `alias ${row.alias}` : row.version ? `v${row.version}` : "latest version"}
        </Typography>
      </Box>
    ),
  },
  { field: "kind", headerName: "Pipeline", width: 130, valueFormatter: (v: string) => humanize(v) },
  {
    field: "schedule",
    headerName: "Schedule",
    width: 190,
    renderCell: ({ row }) =>
      row.schedule ? (
        <Box sx={{ py: 0.75, lineHeight: 1.25 }}>
          <Typography fontFamily="monospace" fontSize={13}>
            {row.schedule}
          </Typography>
          <Typography variant="caption" color="text.secondary">
            {row.timezone}
          </Typography>
        </Box>
      ) : (
        <Typography variant="body2" color="text.secondary" sx={{ lineHeight: "inherit" }}>
          on demand
        </Typography>
      ),
  },
  { field: "status", headerName: "State", width: 100, renderCell: ({ row }) => <StatusChip status={row.status} /> },
  { field: "created_by", headerName: "Owner", width: 130 },
  { field: "updated_at", headerName: "Updated", width: 135, valueFormatter: (v: string) => timeAgo(v) },
];

export function DeploymentsPage() {
  const can = useCan();
  const navigate = useNavigate();
  const [kind, setKind] = useState<PipelineKind | null>(null);
  const [status, setStatus] = useState<"" | "active" | "paused">("");
  const [q, setQ] = useState("");
  const grid = useCursorQuery<Deployment>({
    queryKey: keys.deployments,
    filters: { kind, status, q },
    fetchPage: ({ cursor, limit }) =>
      registryApi.deployments({ kind, status: status || undefined, q: q || undefined, cursor, limit }),
  });
  const unavailable = isUnavailable(grid.query.error);
  const filtered = !!kind || !!status || !!q;
  return (
    <>
      <PageHeader
        title="Deployments"
        subtitle="Models bound to a pipeline — batch scoring, training, evaluation, monitoring — on a schedule or on demand."
        actions={
          can("manage_deployments") && (
            <Tooltip title={unavailable ? "The deployments API is not available on this server yet" : ""}>
              <span>
                <Button variant="contained" startIcon={<AddIcon />} disabled={unavailable} component={RouterLink} to="/deployments/new">
                  New deployment
                </Button>
              </span>
            </Tooltip>
          )
        }
      />
      {!unavailable && (
        <FilterBar
          total={grid.total}
          noun="deployment"
          active={filtered}
          onClear={() => {
            setKind(null);
            setStatus("");
            setQ("");
          }}
          label="deployment filters"
        >
          <SearchField value={q} onChange={setQ} placeholder="Search deployments" width={260} />
          <ToggleButtonGroup size="small" exclusive value={kind} onChange={(_e, v) => setKind(v)} sx={FILTER_FIELD_SX} aria-label="pipeline">
            {PIPELINE_KINDS.map((k) => (
              <ToggleButton key={k} value={k} sx={{ px: 1.5 }}>
                {humanize(k)}
              </ToggleButton>
            ))}
          </ToggleButtonGroup>
          <TextField
            select
            label="State"
            value={status}
            onChange={(e) => setStatus(e.target.value as typeof status)}
            sx={{ minWidth: 130, ...FILTER_FIELD_SX }}
          >
            <MenuItem value="">Any</MenuItem>
            <MenuItem value="active">Active</MenuItem>
            <MenuItem value="paused">Paused</MenuItem>
          </TextField>
        </FilterBar>
      )}
      <ServerDataGrid<Deployment>
        aria-label="deployments"
        rows={grid.rows}
        columns={columns}
        loading={grid.query.isFetching}
        rowCount={grid.rowCount}
        paginationMeta={grid.paginationMeta}
        paginationModel={grid.paginationModel}
        onPaginationModelChange={grid.onPaginationModelChange}
        disableColumnSorting
        getRowHeight={() => 52}
        onRowClick={({ row }) => navigate(`/deployments/${row.id}`)}
        sx={{ "& .MuiDataGrid-row": { cursor: "pointer" } }}
        error={grid.query.error}
        onRetry={() => void grid.query.refetch()}
        unavailable={{ feature: "Deployments", path: "/api/deployments" }}
        empty={
          filtered ? (
            <EmptyState compact title="No deployment matches" description="Try another pipeline, state or search." />
          ) : (
            <EmptyState
              compact
              icon={<ScheduleOutlinedIcon />}
              title="No deployments yet"
              description="A deployment binds a model version or alias to a pipeline, with an optional schedule."
              action={
                can("manage_deployments") ? (
                  <Button variant="contained" startIcon={<AddIcon />} component={RouterLink} to="/deployments/new">
                    New deployment
                  </Button>
                ) : (
                  <Button variant="outlined" component={RouterLink} to="/models">
                    Browse models
                  </Button>
                )
              }
            />
          )
        }
      />
    </>
  );
}
