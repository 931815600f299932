import type { ReactNode } from "react";
import { Box, Button, Card, CardContent, CardHeader, Chip, Grid, Stack, Tooltip, Typography } from "@mui/material";
import type { GridColDef } from "@mui/x-data-grid";
import ArrowBackIcon from "@mui/icons-material/ArrowBack";
import HubOutlinedIcon from "@mui/icons-material/HubOutlined";
import SellOutlinedIcon from "@mui/icons-material/SellOutlined";
import { useQuery } from "@tanstack/react-query";
import { Link as RouterLink, useParams } from "react-router";
import { isUnavailable } from "../../api/errors";
import { keys } from "../../api/hooks";
import { registryApi, type Model, type ModelVersion } from "../../api/registry";
import { StatusChip, TagChips } from "../../components/Chips";
import { EmptyState } from "../../components/EmptyState";
import { ErrorState } from "../../components/ErrorState";
import { formatBytes, formatDateTime, humanize, timeAgo } from "../../components/format";
import { ServerDataGrid } from "../../components/grid/ServerDataGrid";
import { useCursorQuery } from "../../components/grid/useCursorQuery";
import { InlineLoader } from "../../components/Loading";
import { PageHeader } from "../../components/PageHeader";

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Box>
      <Typography variant="caption" color="text.secondary" component="div">
        {label}
      </Typography>
      <Box sx={{ fontSize: 14, mt: 0.25 }}>{children || "—"}</Box>
    </Box>
  );
}

const versionColumns: GridColDef<ModelVersion>[] = [
  { field: "version", headerName: "Version", width: 70, renderCell: ({ value }) => <Chip size="small" label={`v${value}`} /> },
  {
    field: "stage",
    headerName: "Stage",
    width: 90,
    renderCell: ({ value }) =>
      value && value !== "none" ? (
        <StatusChip status={value} />
      ) : (
        <Typography variant="body2" color="text.secondary" sx={{ lineHeight: "inherit" }}>
          —
        </Typography>
      ),
  },
  {
    field: "aliases",
    headerName: "Aliases",
    flex: 1.2,
    minWidth: 160,
    renderCell: ({ row }) => (
      <Stack direction="row" spacing={0.5} sx={{ alignItems: "center", height: "100%" }}>
        {(row.aliases ?? []).map((a) => (
          <Chip key={a} size="small" color="secondary" variant="outlined" label={a} />
        ))}
      </Stack>
    ),
  },
  { field: "format", headerName: "Format", width: 80, valueFormatter: (v: string) => v ?? "—" },
  { field: "size", headerName: "Size", width: 70, valueFormatter: (v: number) => formatBytes(v) },
  {
    field: "metrics",
    headerName: "Metrics",
    flex: 1,
    minWidth: 130,
    valueGetter: (_v, row) =>
      Object.entries(row.metrics ?? {})
        .slice(0, 3)
        .map(([k, n]) => `${k} ${Number(n).toPrecision(3)}`)
        .join(" · ") || "—",
  },
  {
    field: "sha256",
    headerName: "SHA-256",
    width: 120,
    renderCell: ({ value }) =>
      value ? (
        <Tooltip title={value}>
          <Typography variant="body2" fontFamily="monospace" fontSize={12} sx={{ lineHeight: "inherit" }}>
            {String(value).slice(0, 10)}…
          </Typography>
        </Tooltip>
      ) : (
        "—"
      ),
  },
  { field: "created_by", headerName: "By", width: 120 },
  {
    field: "created_at",
    headerName: "Created",
    width: 130,
    renderCell: ({ row }) => (
      <Box sx={{ lineHeight: 1.25, py: 0.75 }}>
        <Typography variant="body2">{timeAgo(row.created_at)}</Typography>
        <Typography variant="caption" color="text.secondary">
          by {row.created_by}
        </Typography>
      </Box>
    ),
  },
];

function Versions({ model }: { model: Model }) {
  const grid = useCursorQuery<ModelVersion>({
    queryKey: [...keys.models, model.id, "versions"],
    filters: {},
    fetchPage: ({ cursor, limit }) => registryApi.versions(model.id, { cursor, limit }),
  });
  return (
    <ServerDataGrid<ModelVersion>
      aria-label="versions"
      getRowId={(row) => row.version}
      rows={grid.rows}
      columns={versionColumns}
      loading={grid.query.isFetching}
      rowCount={grid.rowCount}
      paginationMeta={grid.paginationMeta}
      paginationModel={grid.paginationModel}
      onPaginationModelChange={grid.onPaginationModelChange}
      disableColumnSorting
      getRowHeight={() => 48}
      initialState={{ columns: { columnVisibilityModel: { sha256: false, created_by: false } } }}
      error={grid.query.error}
      onRetry={() => void grid.query.refetch()}
      unavailable={{ feature: "Model versions", path: `/api/models/${model.id}/versions` }}
      empty={
        <EmptyState
          compact
          title="No version uploaded yet"
          description="A version is an immutable model file with its metrics; upload one to deploy this model."
        />
      }
    />
  );
}

function SchemaCard({ title, schema }: { title: string; schema?: Record<string, unknown> | null }) {
  const properties = (schema?.properties ?? {}) as Record<string, { type?: string; description?: string }>;
  const names = Object.keys(properties);
  return (
    <Card>
      <CardHeader title={title} titleTypographyProps={{ variant: "subtitle1" }} sx={{ pb: 0 }} />
      <CardContent>
        {!schema ? (
          <Typography variant="body2" color="text.secondary">
            Not described.
          </Typography>
        ) : names.length ? (
          <Stack spacing={0.5}>
            {names.map((name) => (
              <Stack key={name} direction="row" spacing={1} alignItems="baseline">
                <Typography fontFamily="monospace" fontSize={13} fontWeight={600}>
                  {name}
                </Typography>
                <Typography variant="caption" color="text.secondary">
                  {properties[name]?.type ?? "any"}
                </Typography>
              </Stack>
            ))}
          </Stack>
        ) : (
          <Box component="pre" sx={{ m: 0, fontSize: 12, overflow: "auto", maxHeight: 240 }}>
            {JSON.stringify(schema, null, 2)}
          </Box>
        )}
      </CardContent>
    </Card>
  );
}

export function ModelDetailPage() {
  const { modelId = "" } = useParams();
  const model = useQuery({ queryKey: [...keys.models, "detail", modelId], queryFn: () => registryApi.model(modelId) });

  if (model.isLoading) return <InlineLoader label="Loading the model…" />;
  if (model.error || !model.data) {
    const notFound = isUnavailable(model.error);
    return (
      <>
        <PageHeader title="Model" crumbs={[{ label: "Models", to: "/models" }, { label: modelId }]} />
        {notFound ? (
          <EmptyState
            icon={<HubOutlinedIcon />}
            title="This model does not exist"
            description={`No model has the id or name "${modelId}". It may have been deleted or renamed.`}
            action={
              <Button variant="contained" component={RouterLink} to="/models" startIcon={<ArrowBackIcon />}>
                Back to the catalog
              </Button>
            }
          />
        ) : (
          <ErrorState error={model.error} onRetry={() => void model.refetch()} />
        )}
      </>
    );
  }
  const m = model.data;
  const aliases = Object.entries(m.aliases ?? {});
  return (
    <>
      <PageHeader
        crumbs={[{ label: "Models", to: "/models" }, { label: m.name }]}
        title={m.name}
        subtitle={m.description || "No description yet."}
        actions={
          <Stack direction="row" spacing={1}>
            <Chip label={humanize(m.framework)} />
            <Chip label={humanize(m.task_type)} variant="outlined" />
          </Stack>
        }
      />
      <Grid container spacing={2.5}>
        <Grid size={{ xs: 12, lg: 8 }}>
          <Stack spacing={2.5}>
            <Card>
              <CardContent>
                <Grid container spacing={2.5}>
                  <Grid size={{ xs: 6, sm: 4 }}>
                    <Fact label="Department">{m.department}</Fact>
                  </Grid>
                  <Grid size={{ xs: 6, sm: 4 }}>
                    <Fact label="Geography">{m.geography}</Fact>
                  </Grid>
                  <Grid size={{ xs: 6, sm: 4 }}>
                    <Fact label="Owner">{m.owner}</Fact>
                  </Grid>
                  <Grid size={{ xs: 6, sm: 4 }}>
                    <Fact label="Latest version">{m.latest_version ? `v${m.latest_version}` : "none yet"}</Fact>
                  </Grid>
                  <Grid size={{ xs: 6, sm: 4 }}>
                    <Fact label="Created">
                      {formatDateTime(m.created_at)}
                      {m.created_by ? ` by ${m.created_by}` : ""}
                    </Fact>
                  </Grid>
                  <Grid size={{ xs: 6, sm: 4 }}>
                    <Fact label="Updated">{timeAgo(m.updated_at)}</Fact>
                  </Grid>
                  <Grid size={12}>
                    <Fact label="Tags">{m.tags?.length ? <TagChips tags={m.tags} max={20} /> : null}</Fact>
                  </Grid>
                  <Grid size={12}>
                    <Fact label="Id">
                      <Typography fontFamily="monospace" fontSize={13}>
                        {m.id}
                      </Typography>
                    </Fact>
                  </Grid>
                </Grid>
              </CardContent>
            </Card>
            <Box>
              <Typography variant="h6" sx={{ mb: 1.5 }}>
                Versions
              </Typography>
              <Versions model={m} />
            </Box>
          </Stack>
        </Grid>
        <Grid size={{ xs: 12, lg: 4 }}>
          <Stack spacing={2.5}>
            <Card>
              <CardHeader title="Aliases" titleTypographyProps={{ variant: "subtitle1" }} avatar={<SellOutlinedIcon color="action" />} sx={{ pb: 0 }} />
              <CardContent>
                {aliases.length === 0 ? (
                  <Typography variant="body2" color="text.secondary">
                    No alias yet. Aliases such as <code>champion</code> point deployments at a version that can be moved
                    without editing them.
                  </Typography>
                ) : (
                  <Stack spacing={1}>
                    {aliases.map(([alias, version]) => (
                      <Stack key={alias} direction="row" justifyContent="space-between" alignItems="center">
                        <Chip size="small" color="secondary" variant="outlined" label={alias} />
                        <Typography variant="body2">→ v{version}</Typography>
                      </Stack>
                    ))}
                  </Stack>
                )}
              </CardContent>
            </Card>
            <SchemaCard title="Input schema" schema={m.input_schema} />
            <SchemaCard title="Output schema" schema={m.output_schema} />
          </Stack>
        </Grid>
      </Grid>
    </>
  );
}
