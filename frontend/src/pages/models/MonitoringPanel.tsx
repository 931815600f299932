import { useState } from "react";
import {
  Alert,
  Box,
  Card,
  CardContent,
  CardHeader,
  Chip,
  Grid,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  ToggleButton,
  ToggleButtonGroup,
  Typography,
} from "@mui/material";
import MonitorHeartOutlinedIcon from "@mui/icons-material/MonitorHeartOutlined";
import { useQuery } from "@tanstack/react-query";
import type { Model } from "../../api/registry";
import { metricsApi, metricsKeys, since, type DriftReport, type SeriesQuery } from "../../api/metrics";
import { ErrorState } from "../../components/ErrorState";
import { formatDateTime, humanize, timeAgo } from "../../components/format";
import { InlineLoader } from "../../components/Loading";
import { SeriesChart } from "../../components/charts/SeriesChart";

const PERIODS = [7, 30, 90] as const;
const BUCKET: Record<number, string> = { 7: "6h", 30: "1d", 90: "1d" };

function useSeries(query: SeriesQuery) {
  return useQuery({ queryKey: metricsKeys.series(query), queryFn: () => metricsApi.series(query) });
}

function SeriesCard({
  title,
  subtitle,
  query,
  label,
  empty,
  format,
  area,
}: {
  title: string;
  subtitle: string;
  query: SeriesQuery;
  label: (labels: Record<string, string | null>) => string;
  empty: string;
  format?: (v: number) => string;
  area?: boolean;
}) {
  const data = useSeries(query);
  return (
    <Card variant="outlined" sx={{ height: "100%" }} data-testid={`monitoring-${query.series}`}>
      <CardHeader title={title} subheader={subtitle} titleTypographyProps={{ variant: "subtitle2" }} subheaderTypographyProps={{ variant: "caption" }} sx={{ pb: 0 }} />
      <CardContent sx={{ pt: 1 }}>
        {data.isLoading ? (
          <InlineLoader label="Loading…" />
        ) : data.error ? (
          <ErrorState compact error={data.error} unavailable={{ feature: "Metrics", path: "/api/metrics" }} />
        ) : (
          <SeriesChart groups={data.data?.groups ?? []} label={label} empty={empty} format={format} area={area} height={220} />
        )}
      </CardContent>
    </Card>
  );
}

const STATUS: Record<string, { label: string; color: "success" | "error" | "default" | "warning" }> = {
  ok: { label: "No drift", color: "success" },
  drifted: { label: "Drifted", color: "error" },
  insufficient_data: { label: "Not enough data", color: "warning" },
  unknown: { label: "Never checked", color: "default" },
};

interface FeatureResult {
  type?: string;
  samples?: number;
  drifted?: boolean;
  skipped?: string;
  tests?: Record<string, { statistic?: number; p_value?: number; threshold?: number; drifted?: boolean }>;
}

const num = (v?: number) => (v === undefined || v === null ? "—" : v.toLocaleString(undefined, { maximumSignificantDigits: 3 }));

function FeatureTable({ report }: { report: DriftReport }) {
  const drifted = new Set(report.drifted_features ?? []);
  const rows = Object.entries((report.features ?? {}) as Record<string, FeatureResult>).sort(
    ([a, fa], [b, fb]) => Number(drifted.has(b) || !!fb.drifted) - Number(drifted.has(a) || !!fa.drifted) || a.localeCompare(b),
  );
  if (rows.length === 0) return null;
  return (
    <Box sx={{ overflowX: "auto" }}>
      <Table size="small" data-testid="drift-features">
        <TableHead>
          <TableRow>
            <TableCell>Feature</TableCell>
            <TableCell>Type</TableCell>
            <TableCell>Tests (statistic / threshold)</TableCell>
            <TableCell align="right">Result</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {rows.map(([name, f]) => {
            const isDrifted = drifted.has(name) || !!f.drifted;
            return (
              <TableRow key={name} data-testid={`drift-feature-${name}`} data-drifted={isDrifted} sx={isDrifted ? { bgcolor: "rgba(192, 54, 44, 0.08)" } : undefined}>
                <TableCell sx={{ fontFamily: "monospace", fontWeight: isDrifted ? 600 : undefined }}>{name}</TableCell>
                <TableCell>{f.type ?? "—"}</TableCell>
                <TableCell>
                  {f.skipped ? (
                    <Typography variant="caption" color="text.secondary">
                      skipped: {f.skipped}
                    </Typography>
                  ) : (
                    Object.entries(f.tests ?? {})
                      .map(([test, t]) => `${test.toUpperCase()} ${num(t.statistic)}${t.threshold !== undefined ? ` / ${num(t.threshold)}` : ""}`)
                      .join(" · ")
                  )}
                </TableCell>
                <TableCell align="right">
                  {f.skipped ? (
                    <Chip size="small" label="skipped" variant="outlined" />
                  ) : isDrifted ? (
                    <Chip size="small" color="error" label="drifted" />
                  ) : (
                    <Chip size="small" color="success" variant="outlined" label="stable" />
                  )}
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </Box>
  );
}

function DriftCard({ model }: { model: Model }) {
  const drift = useQuery({ queryKey: metricsKeys.drift(model.id), queryFn: () => metricsApi.drift(model.id) });
  const d = drift.data;
  const status = STATUS[d?.status ?? "unknown"] ?? STATUS.unknown;
  const latest = d?.latest;
  return (
    <Card variant="outlined" data-testid="drift-status">
      <CardHeader
        title="Drift"
        subheader={latest ? `v${latest.version} · checked ${timeAgo(latest.checked_at)} on ${latest.samples.toLocaleString()} samples` : undefined}
        titleTypographyProps={{ variant: "subtitle2" }}
        subheaderTypographyProps={{ variant: "caption" }}
        action={d && <Chip label={status.label} color={status.color} variant={d.status === "drifted" ? "filled" : "outlined"} sx={{ mt: 0.5, mr: 1 }} />}
        sx={{ pb: 0 }}
      />
      <CardContent>
        {drift.isLoading ? (
          <InlineLoader label="Loading the drift reports…" />
        ) : drift.error ? (
          <ErrorState compact error={drift.error} unavailable={{ feature: "Drift reports", path: `/api/models/${model.id}/drift` }} />
        ) : !latest ? (
          <Typography variant="body2" color="text.secondary">
            No drift report yet. A <strong>monitoring</strong> deployment of this model compares recent inputs with the
            training data of the version and reports here.
          </Typography>
        ) : (
          <Stack spacing={1.5}>
            {(latest.drifted_features?.length ?? 0) > 0 && (
              <Alert severity="error" variant="outlined">
                {latest.drifted_features!.length} feature{latest.drifted_features!.length > 1 ? "s" : ""} drifted:{" "}
                <strong>{latest.drifted_features!.join(", ")}</strong>
              </Alert>
            )}
            <FeatureTable report={latest} />
            {(d?.history?.length ?? 0) > 0 && (
              <Stack direction="row" spacing={0.75} alignItems="center" flexWrap="wrap" useFlexGap>
                <Typography variant="caption" color="text.secondary">
                  Earlier checks:
                </Typography>
                {d!.history!.map((h) => (
                  <Chip
                    key={h.id}
                    size="small"
                    variant="outlined"
                    color={h.status === "drifted" ? "error" : h.status === "ok" ? "success" : "default"}
                    label={`${formatDateTime(h.checked_at)} · ${humanize(h.status)}`}
                  />
                ))}
              </Stack>
            )}
          </Stack>
        )}
      </CardContent>
    </Card>
  );
}

/** Model quality, prediction volume and latency over time, and drift status, for one model. */
export function MonitoringPanel({ model }: { model: Model }) {
  const [days, setDays] = useState<number>(30);
  const start = since(days);
  const base = { model: model.id, start, bucket: BUCKET[days] };
  return (
    <Card data-testid="monitoring">
      <CardHeader
        title="Monitoring"
        titleTypographyProps={{ variant: "subtitle1" }}
        avatar={<MonitorHeartOutlinedIcon color="action" />}
        action={
          <ToggleButtonGroup size="small" exclusive value={days} onChange={(_e, v: number | null) => v && setDays(v)} aria-label="monitoring period">
            {PERIODS.map((p) => (
              <ToggleButton key={p} value={p} aria-label={`last ${p} days`} sx={{ py: 0.25 }}>
                {p} d
              </ToggleButton>
            ))}
          </ToggleButtonGroup>
        }
        sx={{ pb: 0 }}
      />
      <CardContent>
        <Grid container spacing={2}>
          <Grid size={12}>
            <SeriesCard
              title="Model quality"
              subtitle="evaluation metrics per version run (daily mean over splits)"
              query={{ ...base, series: "model.metric", aggregate: "avg", bucket: "1d", group_by: ["metric"] }}
              label={(l) => l.metric ?? "metric"}
              empty="No evaluation recorded in this period. Training and evaluation deployments write these metrics."
            />
          </Grid>
          <Grid size={{ xs: 12, md: 6 }}>
            <SeriesCard
              title="Prediction volume"
              subtitle="records scored, online and batch"
              query={{ ...base, series: "prediction.count", aggregate: "sum", group_by: ["source"] }}
              label={(l) => humanize(l.source ?? "predictions")}
              empty="No prediction recorded in this period."
              format={(v) => new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 }).format(v)}
              area
            />
          </Grid>
          <Grid size={{ xs: 12, md: 6 }}>
            <SeriesCard
              title="Latency"
              subtitle="mean milliseconds per request"
              query={{ ...base, series: "prediction.latency_ms", aggregate: "avg", group_by: ["source"] }}
              label={(l) => humanize(l.source ?? "latency")}
              empty="No latency recorded in this period."
              format={(v) => `${v.toLocaleString(undefined, { maximumFractionDigits: 1 })} ms`}
            />
          </Grid>
          <Grid size={12}>
            <DriftCard model={model} />
          </Grid>
        </Grid>
      </CardContent>
    </Card>
  );
}
