import { useEffect, useId, useRef, useState } from "react";
import { Box, Chip, FormControlLabel, MenuItem, Stack, Switch, TextField, Typography } from "@mui/material";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { describeError, isApiError } from "../../api/errors";
import { registryApi, type LogLine } from "../../api/registry";

const LEVEL_COLORS: Record<string, string> = { error: "#ff8a80", critical: "#ff8a80", warning: "#ffd180", info: "#b3e5fc", debug: "#9e9e9e" };

/**
 * A task's log that follows while the task runs: polls `/logs?offset=n` (each answer carries only
 * the lines after n), and keeps the view at the bottom unless the user pauses following or
 * scrolls up. EventSource cannot send the bearer token, so the SSE endpoint is not used here.
 */
export function LogViewer({ executionId, tasks, defaultTask, active }: { executionId: string; tasks: string[]; defaultTask: string; active: boolean }) {
  const [task, setTask] = useState(defaultTask);
  const [follow, setFollow] = useState(true);
  return (
    <Box>
      <Stack direction="row" spacing={2} alignItems="center" sx={{ mb: 1 }} useFlexGap flexWrap="wrap">
        {tasks.length > 1 && (
          <TextField select size="small" label="Task" value={task} onChange={(e) => setTask(e.target.value)} sx={{ minWidth: 180 }}>
            {tasks.map((t) => (
              <MenuItem key={t} value={t}>
                {t}
              </MenuItem>
            ))}
          </TextField>
        )}
        <FormControlLabel
          control={<Switch checked={follow} onChange={(e) => setFollow(e.target.checked)} inputProps={{ "aria-label": "Follow the log" }} />}
          label={follow ? "Following" : "Paused"}
        />
      </Stack>
      <TaskLog key={task} executionId={executionId} task={task} active={active} follow={follow} onScrolledUp={() => setFollow(false)} />
    </Box>
  );
}

interface Accumulated {
  lines: LogLine[];
  finished: boolean;
}

function TaskLog({
  executionId,
  task,
  active,
  follow,
  onScrolledUp,
}: {
  executionId: string;
  task: string;
  active: boolean;
  follow: boolean;
  onScrolledUp: () => void;
}) {
  const box = useRef<HTMLDivElement>(null);
  // lines read so far and the offset to ask from: each poll gets only what follows
  const read = useRef<{ offset: number; lines: LogLine[] }>({ offset: 0, lines: [] });
  const mount = useId();
  const chunk = useQuery<Accumulated>({
    // `active` in the key: when the run ends, one more read at once picks up the last lines
    queryKey: ["execution-log", executionId, task, mount, active],
    queryFn: async () => {
      const next = await registryApi.logs(executionId, { task, offset: read.current.offset });
      if (next.lines.length) read.current = { offset: next.offset, lines: [...read.current.lines, ...next.lines] };
      return { lines: read.current.lines, finished: next.finished };
    },
    refetchInterval: (q) => (q.state.data?.finished ? false : active ? 2000 : 5000),
    retry: false,
    gcTime: 0,
    placeholderData: keepPreviousData,
  });
  const lines = chunk.data?.lines ?? [];
  const finished = chunk.data?.finished ?? false;

  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines.length, follow]);

  const waiting = isApiError(chunk.error) && chunk.error.status === 409;
  return (
    <>
      <Stack direction="row" justifyContent="flex-end" sx={{ mb: 0.5, mt: -5.5 }}>
        {finished ? (
          <Chip size="small" label={`complete · ${lines.length} lines`} variant="outlined" />
        ) : (
          <Chip size="small" color="info" label={`live · ${lines.length} lines`} variant="outlined" data-testid="log-live" />
        )}
      </Stack>
      <Box
        ref={box}
        data-testid="log-viewer"
        role="log"
        aria-live="polite"
        onScroll={(e) => {
          const el = e.currentTarget;
          if (follow && el.scrollHeight - el.scrollTop - el.clientHeight > 24) onScrolledUp();
        }}
        sx={{ bgcolor: "#0f1720", color: "#e0e6ed", fontFamily: "ui-monospace, SFMono-Regular, Menlo, monospace", fontSize: 12.5, lineHeight: 1.55, p: 1.5, borderRadius: 2, height: 360, overflow: "auto" }}
      >
        {lines.length === 0 ? (
          <Typography variant="body2" sx={{ color: "#9aa7b4", fontFamily: "inherit" }}>
            {waiting
              ? "Waiting for the run to start in Airflow… the log appears here as soon as the task writes to it."
              : chunk.error
                ? `${describeError(chunk.error).title}: ${describeError(chunk.error).message}`
                : chunk.isLoading
                  ? "Loading the log…"
                  : finished
                    ? "This task wrote no log line."
                    : "No line yet; following…"}
          </Typography>
        ) : (
          lines.map((line, i) => (
            <Box key={i} sx={{ whiteSpace: "pre-wrap", wordBreak: "break-word" }}>
              {line.timestamp && <span style={{ color: "#7f8c99" }}>{line.timestamp.replace("T", " ").slice(0, 19)} </span>}
              {line.level && <span style={{ color: LEVEL_COLORS[line.level.toLowerCase()] ?? "#b3e5fc" }}>{line.level.toUpperCase().padEnd(8)}</span>}
              {line.message}
            </Box>
          ))
        )}
      </Box>
      {chunk.error && !waiting && lines.length > 0 && (
        <Typography variant="caption" color="error">
          {describeError(chunk.error).message} — retrying
        </Typography>
      )}
    </>
  );
}
