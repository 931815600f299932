import { useMemo, useState, type ReactNode } from "react";
import { Box, Button, Card, CardContent, CardHeader, Chip, Grid, IconButton, Skeleton, Stack, Tooltip, Typography } from "@mui/material";
import { GridActionsCellItem, type GridColDef } from "@mui/x-data-grid";
import ArrowBackIcon from "@mui/icons-material/ArrowBack";
import CloudUploadOutlinedIcon from "@mui/icons-material/CloudUploadOutlined";
import DeleteOutlineIcon from "@mui/icons-material/DeleteOutline";
import DownloadOutlinedIcon from "@mui/icons-material/DownloadOutlined";
import EditOutlinedIcon from "@mui/icons-material/EditOutlined";
import EmojiEventsOutlinedIcon from "@mui/icons-material/EmojiEventsOutlined";
import HubOutlinedIcon from "@mui/icons-material/HubOutlined";
import LayersOutlinedIcon from "@mui/icons-material/LayersOutlined";
import RocketLaunchOutlinedIcon from "@mui/icons-material/RocketLaunchOutlined";
import SellOutlinedIcon from "@mui/icons-material/SellOutlined";
import SwapHorizIcon from "@mui/icons-material/SwapHoriz";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useLocation, useNavigate, useParams } from "react-router";
import { downloadFile } from "../../api/download";
import { describeError } from "../../api/errors";
import { keys } from "../../api/hooks";
import { registryApi, type Model, type ModelVersion } from "../../api/registry";
import { useCan } from "../../auth/context";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { Markdown } from "../../components/Markdown";
import { Toast, type ToastMessage } from "../../components/Toast";
import { EditModelDialog } from "./EditModelDialog";
import { MonitoringPanel } from "./MonitoringPanel";
import { LineagePanel } from "./LineagePanel";
import { HistoryPanel } from "./HistoryPanel";
import { ModelDeploymentsPanel } from "./ModelDeploymentsPanel";
import { PredictPanel } from "./PredictPanel";
import { PredictionLogPanel } from "./PredictionLogPanel";
import { AliasDialog, StageDialog, UploadVersionDialog } from "./VersionDialogs";
import { StatusChip, TagChips } from "../../components/Chips";
import { EmptyState } from "../../components/EmptyState";
import { formatBytes, formatDateTime, humanize, timeAgo } from "../../components/format";
import { ServerDataGrid } from "../../components/grid/ServerDataGrid";
import { useCursorQuery } from "../../components/grid/useCursorQuery";
import { PageHeader } from "../../components/PageHeader";
import { RecordNotLoaded } from "../../components/RecordNotLoaded";

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

const baseColumns: GridColDef<ModelVersion>[] = [
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
    minWidth: 120,
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
    minWidth: 110,
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

type VersionAction = { kind: "alias"; alias: string; version: number } | { kind: "stage"; version: ModelVersion };

function Versions({
  model,
  canEdit,
  onAction,
  onError,
  onVersions,
}: {
  model: Model;
  canEdit: boolean;
  onAction: (action: VersionAction) => void;
  onError: (text: string) => void;
  onVersions: (rows: ModelVersion[]) => void;
}) {
  const grid = useCursorQuery<ModelVersion>({
    queryKey: [...keys.models, model.id, "versions"],
    filters: {},
    fetchPage: async ({ cursor, limit }) => {
      const page = await registryApi.versions(model.id, { cursor, limit });
      if (!cursor) onVersions(page.items);
      return page;
    },
  });
  const columns = useMemo<GridColDef<ModelVersion>[]>(
    () => [
      ...baseColumns,
      {
        field: "actions",
        type: "actions",
        headerName: "",
        width: 60,
        getActions: ({ row }) => [
          <GridActionsCellItem
            key="download"
            icon={<DownloadOutlinedIcon fontSize="small" />}
            label={`Download (${formatBytes(row.size)})`}
            onClick={() =>
              void downloadFile(registryApi.artifactUrl(model.id, row.version), row.filename).catch((e) => onError(describeError(e).message))
            }
            showInMenu
          />,
          ...(canEdit
            ? [
                <GridActionsCellItem
                  key="champion"
                  icon={<EmojiEventsOutlinedIcon fontSize="small" />}
                  label="Make champion…"
                  disabled={model.aliases?.champion === row.version}
                  onClick={() => onAction({ kind: "alias", alias: "champion", version: row.version })}
                  showInMenu
                />,
                <GridActionsCellItem
                  key="challenger"
                  icon={<SwapHorizIcon fontSize="small" />}
                  label="Make challenger…"
                  disabled={model.aliases?.challenger === row.version}
                  onClick={() => onAction({ kind: "alias", alias: "challenger", version: row.version })}
                  showInMenu
                />,
                <GridActionsCellItem
                  key="alias"
                  icon={<SellOutlinedIcon fontSize="small" />}
                  label="Set another alias…"
                  onClick={() => onAction({ kind: "alias", alias: "", version: row.version })}
                  showInMenu
                />,
                <GridActionsCellItem
                  key="stage"
                  icon={<LayersOutlinedIcon fontSize="small" />}
                  label="Move to stage…"
                  onClick={() => onAction({ kind: "stage", version: row })}
                  showInMenu
                />,
              ]
            : []),
        ],
      },
    ],
    [model.id, model.aliases, canEdit, onAction, onError],
  );
  return (
    <ServerDataGrid<ModelVersion>
      aria-label="versions"
      getRowId={(row) => row.version}
      rows={grid.rows}
      columns={columns}
      loading={grid.query.isFetching}
      rowCount={grid.rowCount}
      paginationMeta={grid.paginationMeta}
      paginationModel={grid.paginationModel}
      onPaginationModelChange={grid.onPaginationModelChange}
      disableColumnSorting
      getRowHeight={() => 48}
      initialState={{ columns: { columnVisibilityModel: { sha256: false, created_by: false, size: false, format: false } } }}
      error={grid.query.error}
      onRetry={() => void grid.query.refetch()}
      unavailable={{ feature: "Model versions", path: `/api/models/${model.id}/versions` }}
      empty={
        <EmptyState
          compact
          title="No version uploaded yet"
          description={
            canEdit
              ? "A version is an immutable model file with its metrics; upload one to deploy this model."
              : "A data scientist uploads versions here; a version is an immutable model file with its metrics."
          }
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
  const can = useCan();
  const navigate = useNavigate();
  const location = useLocation();
  const client = useQueryClient();
  const canEdit = can("edit_models");
  const model = useQuery({ queryKey: [...keys.models, "detail", modelId], queryFn: () => registryApi.model(modelId) });
  const [editing, setEditing] = useState(false);
  const [uploading, setUploading] = useState(false);
  const [aliasDialog, setAliasDialog] = useState<{ alias?: string; version?: number } | null>(null);
  const [stageOf, setStageOf] = useState<ModelVersion | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const [versions, setVersions] = useState<ModelVersion[]>([]);
  const [toast, setToast] = useState<ToastMessage | null>(() => {
    const text = (location.state as { toast?: string } | null)?.toast;
    return text ? { text } : null;
  });
  const onAction = useMemo(
    () => (action: VersionAction) =>
      action.kind === "alias" ? setAliasDialog({ alias: action.alias, version: action.version }) : setStageOf(action.version),
    [],
  );
  const onError = useMemo(() => (text: string) => setToast({ text, severity: "error" }), []);

  if (model.isLoading) return <DetailSkeleton />;
  if (model.error || !model.data)
    return (
      <RecordNotLoaded
        title="Model"
        list={{ label: "Models", to: "/models" }}
        id={modelId}
        icon={<HubOutlinedIcon />}
        missing={{
          title: "This model does not exist",
          description: `No model has the id or name "${modelId}". It may have been deleted or renamed.`,
          action: "Back to the catalog",
          actionIcon: <ArrowBackIcon />,
        }}
        error={model.error}
        onRetry={() => void model.refetch()}
      />
    );
  const m = model.data;
  const aliases = Object.entries(m.aliases ?? {});
  const versionNumbers = m.latest_version ? Array.from({ length: m.latest_version }, (_v, i) => m.latest_version! - i) : [];
  const knownVersions = versions.length ? versions.map((v) => v.version) : versionNumbers;
  const production = versions.find((v) => v.stage === "production")?.version ?? null;
  const done = (text: string) => {
    setAliasDialog(null);
    setStageOf(null);
    setToast({ text });
    void client.invalidateQueries({ queryKey: [...keys.models, "detail", modelId] });
    void client.invalidateQueries({ queryKey: [...keys.models, m.id, "history"] });
  };
  const removeAlias = async () => {
    if (!removing) return;
    try {
      await registryApi.deleteAlias(m.id, removing);
      done(`Alias ${removing} removed`);
      void client.invalidateQueries({ queryKey: keys.models });
    } catch (error) {
      setToast({ text: describeError(error).message, severity: "error" });
    }
    setRemoving(null);
  };

  return (
    <>
      <PageHeader
        crumbs={[{ label: "Models", to: "/models" }, { label: m.name }]}
        title={m.name}
        subtitle={m.description || "No description yet."}
        actions={
          <>
            <Chip label={humanize(m.framework)} sx={{ alignSelf: "center" }} />
            <Chip label={humanize(m.task_type)} variant="outlined" sx={{ alignSelf: "center" }} />
            {canEdit && (
              <>
                <Button variant="outlined" startIcon={<EditOutlinedIcon />} onClick={() => setEditing(true)}>
                  Edit
                </Button>
                <Button variant="outlined" startIcon={<CloudUploadOutlinedIcon />} onClick={() => setUploading(true)}>
                  Upload version
                </Button>
              </>
            )}
            {can("manage_deployments") && (
              <Tooltip title={m.latest_version ? "" : "Upload a version first"}>
                <span>
                  <Button
                    variant="contained"
                    startIcon={<RocketLaunchOutlinedIcon />}
                    disabled={!m.latest_version}
                    onClick={() => navigate(`/deployments/new?model=${encodeURIComponent(m.id)}`)}
                  >
                    Deploy
                  </Button>
                </span>
              </Tooltip>
            )}
          </>
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
                    <Fact label="Updated">
                      {timeAgo(m.updated_at)} · revision {m.version}
                    </Fact>
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
              <Stack direction="row" alignItems="center" sx={{ mb: 1.5 }}>
                <Typography variant="h6" sx={{ flexGrow: 1 }}>
                  Versions
                </Typography>
                {canEdit && (
                  <Button size="small" startIcon={<CloudUploadOutlinedIcon />} onClick={() => setUploading(true)}>
                    Upload version
                  </Button>
                )}
              </Stack>
              <Versions model={m} canEdit={canEdit} onAction={onAction} onError={onError} onVersions={setVersions} />
            </Box>
            {can("predict") && <PredictPanel key={m.id} model={m} versions={knownVersions} />}
            <ModelDeploymentsPanel model={m} />
            <MonitoringPanel model={m} />
            {can("predict") && <PredictionLogPanel model={m} />}
            <LineagePanel key={`${m.id}-${m.latest_version}`} model={m} versions={versions.map((v) => v.version)} />
            <Card>
              <CardHeader title="Documentation" titleTypographyProps={{ variant: "subtitle1" }} sx={{ pb: 0 }} />
              <CardContent>
                {m.documentation ? (
                  <Markdown source={m.documentation} />
                ) : (
                  <Typography variant="body2" color="text.secondary">
                    No documentation yet.{canEdit ? " Edit the model to write how it was built and how to use it." : ""}
                  </Typography>
                )}
              </CardContent>
            </Card>
          </Stack>
        </Grid>
        <Grid size={{ xs: 12, lg: 4 }}>
          <Stack spacing={2.5}>
            <Card>
              <CardHeader
                title="Aliases"
                titleTypographyProps={{ variant: "subtitle1" }}
                avatar={<SellOutlinedIcon color="action" />}
                action={
                  canEdit &&
                  !!m.latest_version && (
                    <Button size="small" onClick={() => setAliasDialog({ alias: m.aliases?.champion ? "challenger" : "champion", version: m.latest_version ?? undefined })}>
                      Set alias
                    </Button>
                  )
                }
                sx={{ pb: 0 }}
              />
              <CardContent>
                {aliases.length === 0 ? (
                  <Typography variant="body2" color="text.secondary">
                    No alias yet. Aliases such as <code>champion</code> point deployments at a version that can be moved
                    without editing them.
                  </Typography>
                ) : (
                  <Stack spacing={1} data-testid="aliases">
                    {aliases.map(([alias, version]) => (
                      <Stack key={alias} direction="row" alignItems="center" spacing={1}>
                        <Chip size="small" color="secondary" variant="outlined" label={alias} />
                        <Typography variant="body2" sx={{ flexGrow: 1 }} data-testid={`alias-${alias}`}>
                          → v{version}
                        </Typography>
                        {canEdit && (
                          <>
                            <Button size="small" onClick={() => setAliasDialog({ alias, version })}>
                              Move
                            </Button>
                            <IconButton size="small" aria-label={`remove alias ${alias}`} onClick={() => setRemoving(alias)}>
                              <DeleteOutlineIcon fontSize="small" />
                            </IconButton>
                          </>
                        )}
                      </Stack>
                    ))}
                  </Stack>
                )}
              </CardContent>
            </Card>
            <HistoryPanel model={m} />
            <SchemaCard title="Input schema" schema={m.input_schema} />
            <SchemaCard title="Output schema" schema={m.output_schema} />
          </Stack>
        </Grid>
      </Grid>
      {editing && (
        <EditModelDialog
          model={m}
          onClose={() => setEditing(false)}
          onSaved={(saved) => {
            setEditing(false);
            setToast({ text: `${saved.name} saved` });
            if (saved.name !== m.name && modelId === m.name) navigate(`/models/${encodeURIComponent(saved.id)}`, { replace: true });
          }}
        />
      )}
      {uploading && (
        <UploadVersionDialog
          model={m}
          onClose={() => setUploading(false)}
          onDone={(v) => {
            setUploading(false);
            setToast({ text: `Version ${v.version} uploaded (${formatBytes(v.size)}, sha256 ${v.sha256.slice(0, 10)}…)` });
            void client.invalidateQueries({ queryKey: keys.models });
          }}
        />
      )}
      {aliasDialog && (
        <AliasDialog model={m} versions={knownVersions} initial={aliasDialog} onClose={() => setAliasDialog(null)} onDone={done} />
      )}
      {stageOf && <StageDialog model={m} version={stageOf} productionVersion={production} onClose={() => setStageOf(null)} onDone={done} />}
      <ConfirmDialog
        open={!!removing}
        title={`Remove alias ${removing}?`}
        confirmLabel="Remove alias"
        danger
        onConfirm={() => void removeAlias()}
        onClose={() => setRemoving(null)}
      >
        Deployments that use <strong>{removing}</strong> can no longer resolve it and fail at their next run until the
        alias is set again.
      </ConfirmDialog>
      <Toast message={toast} onClose={() => setToast(null)} />
    </>
  );
}

function DetailSkeleton() {
  return (
    <Box aria-busy="true" aria-label="loading the model">
      <Skeleton width={120} />
      <Skeleton width={320} height={48} />
      <Skeleton width={480} sx={{ mb: 3 }} />
      <Grid container spacing={2.5}>
        <Grid size={{ xs: 12, lg: 8 }}>
          <Skeleton variant="rounded" height={180} sx={{ mb: 2.5 }} />
          <Skeleton variant="rounded" height={240} />
        </Grid>
        <Grid size={{ xs: 12, lg: 4 }}>
          <Skeleton variant="rounded" height={140} sx={{ mb: 2.5 }} />
          <Skeleton variant="rounded" height={160} />
        </Grid>
      </Grid>
    </Box>
  );
}
