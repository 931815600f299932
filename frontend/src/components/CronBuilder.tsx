import { useMemo, useState } from "react";
import { Alert, Autocomplete, Box, Grid, List, ListItem, ListItemText, MenuItem, Skeleton, TextField, Typography } from "@mui/material";
import EventRepeatOutlinedIcon from "@mui/icons-material/EventRepeatOutlined";
import { useQuery } from "@tanstack/react-query";
import { describeError, isApiError } from "../api/errors";
import { registryApi } from "../api/registry";
import { buildCron, checkCron, describeCron, FREQUENCIES, parseCron, WEEKDAYS, type CronSpec, type Frequency } from "./cron";
import { useDebounced } from "./useDebounced";

export interface ScheduleValue {
  /** "" = on demand only */
  schedule: string;
  timezone: string;
}

function timezones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  const all = intl.supportedValuesOf?.("timeZone") ?? [];
  return all.includes("UTC") ? all : ["UTC", ...all];
}

/** "Mon 2 Jun 2025, 06:00 (Europe/Paris)", read in the schedule's own timezone. */
function formatRun(iso: string, timezone: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  try {
    return new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZone: timezone }).format(date);
  } catch {
    return date.toLocaleString();
  }
}

/**
 * Schedule editor: a preset (hourly, daily, weekly …) with its time, or a cron expression; the
 * timezone it is read in; a description in words; and the next run times computed by the server.
 */
export function CronBuilder({
  value,
  onChange,
  serverError,
}: {
  value: ScheduleValue;
  onChange: (value: ScheduleValue) => void;
  serverError?: string;
}) {
  const [spec, setSpec] = useState<CronSpec>(() => parseCron(value.schedule));
  const zones = useMemo(() => timezones(), []);
  const local = checkCron(value.schedule);

  const setFromSpec = (next: CronSpec) => {
    setSpec(next);
    if (next.frequency !== "custom") onChange({ ...value, schedule: buildCron(next) });
  };
  const setExpression = (text: string) => {
    const parsed = parseCron(text);
    // typing an expression the builder can show switches the builder to it; anything else is custom
    setSpec(text.trim() ? (parsed.frequency === "none" ? { ...parsed, frequency: "custom" } : parsed) : { ...spec, frequency: "custom" });
    onChange({ ...value, schedule: text });
  };

  const time = `${String(spec.hour).padStart(2, "0")}:${String(spec.minute).padStart(2, "0")}`;
  const showsTime = ["daily", "weekdays", "weekly", "monthly"].includes(spec.frequency);

  return (
    <Box data-testid="cron-builder">
      <Grid container spacing={2}>
        <Grid size={{ xs: 12, sm: 6 }}>
          <TextField
            select
            fullWidth
            label="Runs"
            value={spec.frequency}
            onChange={(e) => setFromSpec({ ...spec, frequency: e.target.value as Frequency })}
          >
            {FREQUENCIES.map((f) => (
              <MenuItem key={f.value} value={f.value}>
                {f.label}
              </MenuItem>
            ))}
          </TextField>
        </Grid>
        <Grid size={{ xs: 12, sm: 6 }}>
          <Autocomplete
            options={zones}
            value={value.timezone}
            disableClearable
            onChange={(_e, tz) => onChange({ ...value, timezone: tz })}
            renderInput={(params) => <TextField {...params} label="Timezone" helperText="The schedule is read in this timezone" />}
          />
        </Grid>
        {spec.frequency === "hourly" && (
          <Grid size={{ xs: 12, sm: 6 }}>
            <TextField
              type="number"
              fullWidth
              label="Minute past the hour"
              value={spec.minute}
              onChange={(e) => setFromSpec({ ...spec, minute: Math.min(59, Math.max(0, Number(e.target.value) || 0)) })}
              slotProps={{ htmlInput: { min: 0, max: 59 } }}
            />
          </Grid>
        )}
        {showsTime && (
          <Grid size={{ xs: 12, sm: spec.frequency === "weekly" || spec.frequency === "monthly" ? 3 : 6 }}>
            <TextField
              type="time"
              fullWidth
              label="At"
              value={time}
              onChange={(e) => {
                const [h, m] = e.target.value.split(":").map(Number);
                if (!Number.isNaN(h) && !Number.isNaN(m)) setFromSpec({ ...spec, hour: h, minute: m });
              }}
              slotProps={{ inputLabel: { shrink: true }, htmlInput: { "aria-label": "At" } }}
            />
          </Grid>
        )}
        {spec.frequency === "weekly" && (
          <Grid size={{ xs: 12, sm: 3 }}>
            <TextField select fullWidth label="On" value={spec.weekday} onChange={(e) => setFromSpec({ ...spec, weekday: Number(e.target.value) })}>
              {WEEKDAYS.map((d, i) => (
                <MenuItem key={d} value={i}>
                  {d}
                </MenuItem>
              ))}
            </TextField>
          </Grid>
        )}
        {spec.frequency === "monthly" && (
          <Grid size={{ xs: 12, sm: 3 }}>
            <TextField select fullWidth label="On day" value={spec.day} onChange={(e) => setFromSpec({ ...spec, day: Number(e.target.value) })}>
              {Array.from({ length: 28 }, (_v, i) => i + 1).map((d) => (
                <MenuItem key={d} value={d}>
                  {d}
                </MenuItem>
              ))}
            </TextField>
          </Grid>
        )}
        {spec.frequency !== "none" && (
          <Grid size={12}>
            <TextField
              fullWidth
              label="Cron expression"
              value={value.schedule}
              onChange={(e) => setExpression(e.target.value)}
              error={!!(serverError ?? local)}
              helperText={serverError ?? local ?? "minute hour day-of-month month day-of-week, or @hourly, @daily, @weekly, @monthly"}
              slotProps={{ htmlInput: { spellCheck: false, "aria-label": "Cron expression", style: { fontFamily: "monospace" } } }}
            />
          </Grid>
        )}
      </Grid>
      <NextRuns schedule={value.schedule} timezone={value.timezone} localError={local} />
    </Box>
  );
}

function NextRuns({ schedule, timezone, localError }: { schedule: string; timezone: string; localError: string | null }) {
  const debounced = useDebounced({ schedule: schedule.trim(), timezone }, 350);
  const enabled = !!debounced.schedule && !localError;
  const preview = useQuery({
    queryKey: ["schedule-preview", debounced],
    queryFn: () => registryApi.previewSchedule(debounced.schedule, debounced.timezone, 5),
    enabled,
    retry: false,
    staleTime: 60_000,
  });
  return (
    <Box sx={{ mt: 2, p: 2, borderRadius: 2, bgcolor: "action.hover" }} data-testid="next-runs">
      <Typography variant="subtitle2" sx={{ display: "flex", alignItems: "center", gap: 1 }}>
        <EventRepeatOutlinedIcon fontSize="small" color="action" />
        {describeCron(schedule)}
      </Typography>
      {!schedule.trim() ? null : localError ? (
        <Typography variant="body2" color="error" sx={{ mt: 1 }}>
          {localError}
        </Typography>
      ) : preview.isError ? (
        <Alert severity="error" variant="outlined" sx={{ mt: 1 }}>
          {isApiError(preview.error) && preview.error.status === 422 ? preview.error.message : describeError(preview.error).message}
        </Alert>
      ) : preview.isLoading || !preview.data ? (
        <Box sx={{ mt: 1 }}>
          {[0, 1, 2].map((i) => (
            <Skeleton key={i} width={260} />
          ))}
        </Box>
      ) : (
        <>
          <Typography variant="caption" color="text.secondary" component="div" sx={{ mt: 1 }}>
            Next runs ({preview.data.timezone}){preview.data.cron && preview.data.cron !== schedule.trim() ? ` · cron ${preview.data.cron}` : ""}
          </Typography>
          <List dense disablePadding aria-label="next runs">
            {preview.data.next_runs.map((run) => (
              <ListItem key={run} disableGutters sx={{ py: 0 }}>
                <ListItemText primary={formatRun(run, preview.data.timezone)} slotProps={{ primary: { variant: "body2" } }} />
              </ListItem>
            ))}
          </List>
        </>
      )}
    </Box>
  );
}
