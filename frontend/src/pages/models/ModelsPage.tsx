import { useMemo } from "react";
import { Box, Button, Chip, Link, Stack, Tooltip, Typography } from "@mui/material";
import type { GridColDef, GridSortModel } from "@mui/x-data-grid";
import AddIcon from "@mui/icons-material/Add";
import HubOutlinedIcon from "@mui/icons-material/HubOutlined";
import { useQuery } from "@tanstack/react-query";
import { Link as RouterLink, useNavigate } from "react-router";
import { isUnavailable } from "../../api/errors";
import { keys } from "../../api/hooks";
import { FACET_FIELDS, registryApi, type ModelSummary } from "../../api/registry";
import { useCan } from "../../auth/context";
import { TagChips } from "../../components/Chips";
import { EmptyState } from "../../components/EmptyState";
import { formatCount, humanize, timeAgo } from "../../components/format";
import { ServerDataGrid } from "../../components/grid/ServerDataGrid";
import { useCursorQuery } from "../../components/grid/useCursorQuery";
import { PageHeader } from "../../components/PageHeader";
import { SearchField } from "../../components/SearchField";
import { FacetPanel } from "./FacetPanel";
import { SORTABLE, useCatalogParams } from "./useCatalogParams";

const UNAVAILABLE = { feature: "Models", path: "/api/models" };

// owner, tags and creation date are one click away in the column menu; facets filter on them too
const HIDDEN = { owner: false, tags: false, created_at: false };

const columns: GridColDef<ModelSummary>[] = [
  {
    field: "name",
    headerName: "Model",
    flex: 2,
    minWidth: 200,
    renderCell: ({ row }) => (
      <Box sx={{ py: 0.75, lineHeight: 1.25, minWidth: 0 }}>
        <Link component={RouterLink} to={`/models/${encodeURIComponent(row.id)}`} fontWeight={600} underline="hover">
          {row.name}
        </Link>
        <Typography variant="caption" color="text.secondary" noWrap component="div">
          {row.description || "No description"}
        </Typography>
      </Box>
    ),
  },
  { field: "department", headerName: "Department", width: 115, sortable: false, valueGetter: (v) => v ?? "—" },
  { field: "geography", headerName: "Geography", width: 105, sortable: false, valueGetter: (v) => v ?? "—" },
  { field: "framework", headerName: "Framework", width: 105, sortable: false, valueFormatter: (v: string) => humanize(v) },
  { field: "task_type", headerName: "Task", width: 110, sortable: false, valueFormatter: (v: string) => humanize(v) },
  { field: "owner", headerName: "Owner", width: 130, sortable: false },
  {
    field: "latest_version",
    headerName: "Latest",
    width: 70,
    sortable: false,
    renderCell: ({ value }) => (value ? <Chip size="small" label={`v${value}`} /> : "—"),
  },
  {
    field: "tags",
    headerName: "Tags",
    flex: 1,
    minWidth: 160,
    sortable: false,
    renderCell: ({ row }) => (
      <Box sx={{ display: "flex", alignItems: "center", height: "100%" }}>
        <TagChips tags={row.tags} max={2} />
      </Box>
    ),
  },
  { field: "updated_at", headerName: "Updated", width: 120, valueFormatter: (v: string) => timeAgo(v) },
  { field: "created_at", headerName: "Created", width: 130, valueFormatter: (v: string) => timeAgo(v) },
];

function toSortModel(sort: string): GridSortModel {
  const desc = sort.startsWith("-");
  return [{ field: desc ? sort.slice(1) : sort, sort: desc ? "desc" : "asc" }];
}

export function ModelsPage() {
  const can = useCan();
  const navigate = useNavigate();
  const catalog = useCatalogParams();

  const grid = useCursorQuery<ModelSummary>({
    queryKey: keys.models,
    filters: { ...catalog.filters, sort: catalog.sort },
    fetchPage: ({ cursor, limit }) => registryApi.models({ ...catalog.filters, sort: catalog.sort, cursor, limit }),
    pageSize: 50,
  });
  const facets = useQuery({
    queryKey: [...keys.models, "facets", catalog.filters],
    queryFn: () => registryApi.facets(catalog.filters),
    placeholderData: (previous) => previous,
  });
  const unavailable = isUnavailable(grid.query.error);
  const sortModel = useMemo(() => toSortModel(catalog.sort), [catalog.sort]);

  const selectedChips = FACET_FIELDS.flatMap(({ param, label }) =>
    catalog.selected[param].map((value) => ({ param, value, label })),
  );

  return (
    <>
      <PageHeader
        title="Models"
        subtitle="Every model of the organisation: search, filter by department, geography, framework and more."
        actions={
          can("edit_models") && (
            <Tooltip title={unavailable ? "The registry API is not available on this server yet" : ""}>
              <span>
                <Button variant="contained" startIcon={<AddIcon />} onClick={() => navigate("/models/new")} disabled={unavailable}>
                  Register model
                </Button>
              </span>
            </Tooltip>
          )
        }
      />
      <Stack direction={{ xs: "column", md: "row" }} spacing={2.5} alignItems="flex-start">
        {!unavailable && (
          <Box sx={{ width: { xs: "100%", md: 260 }, flexShrink: 0 }}>
            <FacetPanel facets={facets.data} loading={facets.isLoading} selected={catalog.selected} onToggle={catalog.toggle} />
          </Box>
        )}
        <Box sx={{ flexGrow: 1, minWidth: 0, width: "100%" }}>
          <Stack direction="row" spacing={1.5} useFlexGap alignItems="center" sx={{ mb: 1.5, flexWrap: "wrap" }}>
            <SearchField value={catalog.q} onChange={catalog.setQ} placeholder="Search name or description" width={360} />
            <Box sx={{ flexGrow: 1 }} />
            {grid.total !== null && (
              <Typography variant="body2" color="text.secondary" data-testid="models-total">
                {formatCount(grid.total)} {grid.total === 1 ? "model" : "models"}
              </Typography>
            )}
          </Stack>
          {selectedChips.length > 0 && (
            <Stack direction="row" spacing={0.75} useFlexGap sx={{ mb: 1.5, flexWrap: "wrap" }}>
              {selectedChips.map(({ param, value, label }) => (
                <Chip
                  key={`${param}:${value}`}
                  size="small"
                  color="primary"
                  label={`${label}: ${value}`}
                  onDelete={() => catalog.toggle(param, value)}
                />
              ))}
              <Button size="small" onClick={catalog.clear}>
                Clear all
              </Button>
            </Stack>
          )}
          <ServerDataGrid<ModelSummary>
            aria-label="models"
            rows={grid.rows}
            columns={columns}
            loading={grid.query.isFetching}
            rowCount={grid.rowCount}
            paginationMeta={grid.paginationMeta}
            paginationModel={grid.paginationModel}
            onPaginationModelChange={grid.onPaginationModelChange}
            sortModel={sortModel}
            onSortModelChange={(model) => {
              const first = model[0];
              if (!first || !SORTABLE.includes(first.field as (typeof SORTABLE)[number])) return catalog.setSort("name");
              catalog.setSort(`${first.sort === "desc" ? "-" : ""}${first.field}`);
            }}
            getRowHeight={() => 52}
            initialState={{ columns: { columnVisibilityModel: HIDDEN } }}
            onRowDoubleClick={({ row }) => navigate(`/models/${encodeURIComponent(row.id)}`)}
            error={grid.query.error}
            onRetry={() => void grid.query.refetch()}
            unavailable={UNAVAILABLE}
            empty={
              catalog.active ? (
                <EmptyState
                  compact
                  title="No model matches"
                  description="Try fewer filters or another search."
                  action={<Button onClick={catalog.clear}>Clear filters</Button>}
                />
              ) : (
                <EmptyState
                  compact
                  icon={<HubOutlinedIcon />}
                  title="No models registered yet"
                  description={
                    can("edit_models")
                      ? "Register the first model: name it, describe it, then upload its versions."
                      : "Data scientists register models here; they appear as soon as they do."
                  }
                  action={
                    can("edit_models") && (
                      <Button variant="contained" startIcon={<AddIcon />} onClick={() => navigate("/models/new")}>
                        Register model
                      </Button>
                    )
                  }
                />
              )
            }
          />
        </Box>
      </Stack>
    </>
  );
}
