import { Card, CardContent, CardHeader, Chip, Tooltip, Typography } from "@mui/material";
import { DataGrid, type GridColDef } from "@mui/x-data-grid";
import ReceiptLongOutlinedIcon from "@mui/icons-material/ReceiptLongOutlined";
import { useQuery } from "@tanstack/react-query";
import { predictionLogKey } from "../../api/hooks";
import { registryApi, type Model, type PredictionLogEntry } from "../../api/registry";
import { EmptyState } from "../../components/EmptyState";
import { ErrorState } from "../../components/ErrorState";
import { formatDateTime, timeAgo } from "../../components/format";

const LIMIT = 50;
const REFRESH_MS = 10_000;

type Row = PredictionLogEntry & { id: string };

const compact = (value: unknown) => {
  const text = JSON.stringify(value);
  return text.length > 160 ? `${text.slice(0, 157)}…` : text;
};

const columns: GridColDef<Row>[] = [
  {
    field: "time",
    headerName: "When",
    width: 120,
    renderCell: ({ value }) => (
      <Tooltip title={formatDateTime(value)}>
        <span>{timeAgo(value)}</span>
      </Tooltip>
    ),
  },
  { field: "version", headerName: "Version", width: 75, renderCell: ({ value }) => <Chip size="small" label={`v${value}`} /> },
  { field: "caller", headerName: "Caller", width: 120 },
  { field: "n_records", headerName: "Records", width: 80, type: "number" },
  { field: "latency_ms", headerName: "Latency", width: 90, type: "number", valueFormatter: (v: number) => `${v < 10 ? v.toFixed(1) : Math.round(v)} ms` },
  {
    field: "inputs",
    headerName: "First inputs → predictions",
    flex: 1,
    minWidth: 200,
    sortable: false,
    renderCell: ({ row }) => (
      <Tooltip title={<pre style={{ margin: 0, whiteSpace: "pre-wrap" }}>{JSON.stringify({ inputs: row.inputs, predictions: row.outputs }, null, 2)}</pre>}>
        <Typography variant="body2" noWrap sx={{ fontFamily: "monospace", fontSize: 12, lineHeight: "inherit" }}>
          {compact(row.inputs[0] ?? {})} → {compact(row.outputs.slice(0, 3))}
        </Typography>
      </Tooltip>
    ),
  },
];

/** The model's latest online predictions from the prediction log (sampled inputs and outputs), refreshed every 10 s. */
export function PredictionLogPanel({ model }: { model: Model }) {
  const log = useQuery({
    queryKey: predictionLogKey(model.id),
    queryFn: () => registryApi.predictionLog(model.id, { limit: LIMIT }),
    refetchInterval: REFRESH_MS,
  });
  const rows: Row[] = (log.data?.items ?? []).map((entry, i) => ({ ...entry, id: `${entry.time}-${entry.inputs_hash}-${i}` }));
  return (
    <Card data-testid="prediction-log">
      <CardHeader
        title="Recent predictions"
        titleTypographyProps={{ variant: "subtitle1" }}
        subheader={`The last ${LIMIT} requests of the prediction log: who asked, which version answered, how fast, and the first records.`}
        subheaderTypographyProps={{ variant: "caption" }}
        avatar={<ReceiptLongOutlinedIcon color="action" />}
        sx={{ pb: 0 }}
      />
      <CardContent>
        {log.error && !rows.length ? (
          <ErrorState error={log.error} onRetry={() => void log.refetch()} />
        ) : (
          <DataGrid<Row>
            aria-label="recent predictions"
            rows={rows}
            columns={columns}
            loading={log.isLoading}
            autoHeight
            density="compact"
            hideFooter={rows.length <= 10}
            initialState={{ pagination: { paginationModel: { pageSize: 10 } } }}
            pageSizeOptions={[10, 25, 50]}
            disableRowSelectionOnClick
            slots={{
              noRowsOverlay: () => (
                <EmptyState
                  compact
                  title="No prediction yet"
                  description="Requests to this model's predict endpoint appear here a second or two after they are answered."
                />
              ),
            }}
            sx={{ "--DataGrid-overlayHeight": "180px" }}
          />
        )}
      </CardContent>
    </Card>
  );
}
