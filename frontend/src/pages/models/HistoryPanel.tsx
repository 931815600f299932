import { useState, type ReactNode } from "react";
import { Box, Button, Card, CardContent, CardHeader, Skeleton, Stack, ToggleButton, ToggleButtonGroup, Tooltip, Typography } from "@mui/material";
import HistoryOutlinedIcon from "@mui/icons-material/HistoryOutlined";
import SellOutlinedIcon from "@mui/icons-material/SellOutlined";
import LayersOutlinedIcon from "@mui/icons-material/LayersOutlined";
import CloudUploadOutlinedIcon from "@mui/icons-material/CloudUploadOutlined";
import DeleteOutlineIcon from "@mui/icons-material/DeleteOutline";
import EditOutlinedIcon from "@mui/icons-material/EditOutlined";
import AddCircleOutlineIcon from "@mui/icons-material/AddCircleOutline";
import InsightsOutlinedIcon from "@mui/icons-material/InsightsOutlined";
import { useInfiniteQuery } from "@tanstack/react-query";
import { keys } from "../../api/hooks";
import { registryApi, type Model, type ModelEvent, type ModelEventAction } from "../../api/registry";
import { EmptyState } from "../../components/EmptyState";
import { ErrorState } from "../../components/ErrorState";
import { formatDateTime, timeAgo } from "../../components/format";

const PAGE = 15;
const MOVES: ModelEventAction[] = ["model.alias.set", "model.alias.delete", "model.version.stage"];

const ICONS: Record<ModelEventAction, ReactNode> = {
  "model.create": <AddCircleOutlineIcon fontSize="small" />,
  "model.update": <EditOutlinedIcon fontSize="small" />,
  "model.version.create": <CloudUploadOutlinedIcon fontSize="small" />,
  "model.version.delete": <DeleteOutlineIcon fontSize="small" />,
  "model.alias.set": <SellOutlinedIcon fontSize="small" />,
  "model.alias.delete": <SellOutlinedIcon fontSize="small" />,
  "model.version.stage": <LayersOutlinedIcon fontSize="small" />,
  "model.drift": <InsightsOutlinedIcon fontSize="small" />,
};

function tone(event: ModelEvent): string {
  if (event.action === "model.version.stage" && event.stage === "production") return "success.main";
  if (event.action === "model.drift" && event.drift_status && event.drift_status !== "ok") return "warning.main";
  if (event.action.endsWith(".delete")) return "text.disabled";
  return event.action === "model.alias.set" ? "secondary.main" : "text.secondary";
}

function EventRow({ event, last }: { event: ModelEvent; last: boolean }) {
  return (
    <Stack direction="row" spacing={1.25} data-testid="history-event">
      <Stack alignItems="center" sx={{ pt: 0.25 }}>
        <Box sx={{ color: tone(event), display: "grid", placeItems: "center" }}>{ICONS[event.action]}</Box>
        {!last && <Box sx={{ flexGrow: 1, width: "1px", bgcolor: "divider", my: 0.5 }} />}
      </Stack>
      <Box sx={{ pb: last ? 0 : 1.5, minWidth: 0 }}>
        <Typography variant="body2" fontWeight={500}>
          {event.summary}
        </Typography>
        <Typography variant="caption" color="text.secondary">
          {event.actor} ·{" "}
          <Tooltip title={formatDateTime(event.at)}>
            <span>{timeAgo(event.at)}</span>
          </Tooltip>
        </Typography>
      </Box>
    </Stack>
  );
}

/** What happened to the model, newest first: who moved which alias or stage, uploads, edits, drift checks. */
export function HistoryPanel({ model }: { model: Model }) {
  const [only, setOnly] = useState<"all" | "moves">("moves");
  const history = useInfiniteQuery({
    queryKey: [...keys.models, model.id, "history", only],
    queryFn: ({ pageParam }) =>
      registryApi.history(model.id, { action: only === "moves" ? MOVES : undefined, limit: PAGE, cursor: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const events = history.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Card>
      <CardHeader
        title="History"
        avatar={<HistoryOutlinedIcon color="action" />}
        titleTypographyProps={{ variant: "subtitle1" }}
        action={
          <ToggleButtonGroup size="small" exclusive value={only} onChange={(_e, v) => v && setOnly(v)} aria-label="which events" sx={{ mr: 1 }}>
            <ToggleButton value="moves">Aliases & stages</ToggleButton>
            <ToggleButton value="all">All</ToggleButton>
          </ToggleButtonGroup>
        }
        sx={{ pb: 0 }}
      />
      <CardContent>
        {history.isLoading ? (
          <Stack spacing={1}>
            <Skeleton variant="text" />
            <Skeleton variant="text" />
            <Skeleton variant="text" />
          </Stack>
        ) : history.isError ? (
          <ErrorState compact error={history.error} onRetry={() => void history.refetch()} />
        ) : events.length === 0 ? (
          <EmptyState
            compact
            icon={<HistoryOutlinedIcon />}
            title={only === "moves" ? "No alias or stage move yet" : "No history yet"}
            description={
              only === "moves" ? "Every move of champion, challenger or a stage is recorded here, with who made it." : undefined
            }
          />
        ) : (
          <Box aria-label="model history">
            {events.map((event, i) => (
              <EventRow key={event.id} event={event} last={i === events.length - 1 && !history.hasNextPage} />
            ))}
            {history.hasNextPage && (
              <Button size="small" disabled={history.isFetchingNextPage} onClick={() => void history.fetchNextPage()}>
                {history.isFetchingNextPage ? "Loading…" : "Show older"}
              </Button>
            )}
          </Box>
        )}
      </CardContent>
    </Card>
  );
}
