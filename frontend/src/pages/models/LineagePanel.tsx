import { useState } from "react";
import { Alert, Box, Card, CardContent, CardHeader, Chip, Link, MenuItem, Skeleton, Stack, TextField, Tooltip, Typography } from "@mui/material";
import AccountTreeOutlinedIcon from "@mui/icons-material/AccountTreeOutlined";
import ArrowForwardIcon from "@mui/icons-material/ArrowForward";
import { useQuery } from "@tanstack/react-query";
import { Link as RouterLink } from "react-router";
import { keys } from "../../api/hooks";
import { registryApi, type Model } from "../../api/registry";
import { ErrorState } from "../../components/ErrorState";

function Node({ title, children, tone = "default", testId }: { title: string; children: React.ReactNode; tone?: "default" | "primary"; testId?: string }) {
  return (
    <Box
      data-testid={testId}
      sx={{
        border: 1,
        borderColor: tone === "primary" ? "primary.main" : "divider",
        bgcolor: tone === "primary" ? "action.selected" : "background.paper",
        borderRadius: 2,
        px: 1.5,
        py: 1,
        minWidth: 150,
        maxWidth: 240,
      }}
    >
      <Typography variant="caption" color="text.secondary" component="div">
        {title}
      </Typography>
      <Box sx={{ fontSize: 13.5, wordBreak: "break-word" }}>{children}</Box>
    </Box>
  );
}

const Arrow = () => <ArrowForwardIcon color="action" fontSize="small" sx={{ flexShrink: 0 }} />;

/** Where a version comes from: its dataset (with sha256), the execution that made it, its parent, and its children. */
export function LineagePanel({ model, versions }: { model: Model; versions?: number[] }) {
  const latest = model.latest_version ?? null;
  const [picked, setPicked] = useState<number | null>(null);
  const version = picked ?? latest;
  // the versions that exist (numbers of deleted or cancelled uploads are skipped)
  const all = versions?.length ? versions : latest ? Array.from({ length: latest }, (_v, i) => latest - i) : [];
  const lineage = useQuery({
    queryKey: [...keys.models, model.id, "lineage", version],
    queryFn: () => registryApi.lineage(model.id, version!),
    enabled: version !== null,
    retry: false,
  });
  const href = (v: number) => `/models/${encodeURIComponent(model.id)}?version=${v}`;
  return (
    <Card>
      <CardHeader
        title="Lineage"
        avatar={<AccountTreeOutlinedIcon color="action" />}
        titleTypographyProps={{ variant: "subtitle1" }}
        action={
          all.length > 0 && (
            <TextField select size="small" label="Version" value={version ?? ""} onChange={(e) => setPicked(Number(e.target.value))} sx={{ minWidth: 110, mr: 1 }}>
              {all.map((v) => (
                <MenuItem key={v} value={v}>
                  v{v}
                </MenuItem>
              ))}
            </TextField>
          )
        }
        sx={{ pb: 0 }}
      />
      <CardContent>
        {version === null ? (
          <Typography variant="body2" color="text.secondary">
            Lineage appears with the first version: the dataset it was trained on, the execution that produced it, and the version it derives from.
          </Typography>
        ) : lineage.isLoading ? (
          <Stack direction="row" spacing={2}>
            <Skeleton variant="rounded" width={160} height={56} />
            <Skeleton variant="rounded" width={160} height={56} />
          </Stack>
        ) : lineage.isError ? (
          lineage.error && (lineage.error as { status?: number }).status === 404 ? (
            <Alert severity="info" variant="outlined">
              v{version} was deleted; pick another version.
            </Alert>
          ) : (
            <ErrorState compact error={lineage.error} onRetry={() => void lineage.refetch()} />
          )
        ) : (
          lineage.data && (
            <Stack spacing={1.5} data-testid="lineage">
              <Stack direction="row" spacing={1} alignItems="center" useFlexGap sx={{ flexWrap: "wrap" }}>
                <Stack spacing={1}>
                  <Node title="Dataset" testId="lineage-dataset">
                    {lineage.data.dataset ? (
                      <>
                        {lineage.data.dataset.name ?? lineage.data.dataset.id}
                        <Tooltip title={lineage.data.dataset.sha256 ?? ""}>
                          <Typography fontFamily="monospace" fontSize={11.5} color="text.secondary">
                            sha256 {lineage.data.dataset.sha256?.slice(0, 12) ?? "—"}…
                          </Typography>
                        </Tooltip>
                        {!lineage.data.dataset.available && <Chip size="small" color="warning" label="changed or deleted" />}
                      </>
                    ) : (
                      <Typography variant="body2" color="text.secondary">
                        not recorded
                      </Typography>
                    )}
                  </Node>
                  <Node title="Parent version">
                    {lineage.data.parent_version ? (
                      <Link component={RouterLink} to={href(lineage.data.parent_version)} onClick={() => setPicked(lineage.data!.parent_version!)}>
                        v{lineage.data.parent_version}
                      </Link>
                    ) : (
                      <Typography variant="body2" color="text.secondary">
                        none
                      </Typography>
                    )}
                  </Node>
                </Stack>
                <Arrow />
                <Node title="Source execution">
                  {lineage.data.source_execution_id ? (
                    <Link component={RouterLink} to={`/executions/${encodeURIComponent(lineage.data.source_execution_id)}`} fontFamily="monospace" fontSize={12}>
                      {lineage.data.source_execution_id.slice(0, 12)}…
                    </Link>
                  ) : (
                    <Typography variant="body2" color="text.secondary">
                      uploaded by hand
                    </Typography>
                  )}
                </Node>
                <Arrow />
                <Node title={`${lineage.data.model_name}`} tone="primary" testId="lineage-version">
                  <strong>v{lineage.data.version}</strong>
                  <Tooltip title={lineage.data.sha256}>
                    <Typography fontFamily="monospace" fontSize={11.5} color="text.secondary">
                      sha256 {lineage.data.sha256.slice(0, 12)}…
                    </Typography>
                  </Tooltip>
                </Node>
                {lineage.data.derived_versions.length > 0 && (
                  <>
                    <Arrow />
                    <Node title="Derived versions">
                      <Stack direction="row" spacing={0.5}>
                        {lineage.data.derived_versions.map((v) => (
                          <Chip key={v} size="small" label={`v${v}`} clickable onClick={() => setPicked(v)} />
                        ))}
                      </Stack>
                    </Node>
                  </>
                )}
              </Stack>
            </Stack>
          )
        )}
      </CardContent>
    </Card>
  );
}
