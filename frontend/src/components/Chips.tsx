import { Chip, Stack, type ChipProps } from "@mui/material";
import { roleLabel } from "../api/types";
import { humanize } from "./format";

const ROLE_COLORS: Record<string, ChipProps["color"]> = {
  admin: "primary",
  data_scientist: "secondary",
  business_user: "warning",
  viewer: "default",
};

export function RoleChips({ roles }: { roles: readonly string[] }) {
  return (
    <Stack direction="row" spacing={0.5} useFlexGap sx={{ flexWrap: "wrap" }}>
      {roles.map((role) => (
        <Chip key={role} size="small" variant="outlined" color={ROLE_COLORS[role] ?? "default"} label={roleLabel(role)} />
      ))}
    </Stack>
  );
}

const STATE_COLORS: Record<string, ChipProps["color"]> = {
  success: "success",
  succeeded: "success",
  ok: "success",
  active: "success",
  running: "info",
  queued: "default",
  scheduled: "default",
  paused: "warning",
  cancelled: "warning",
  canceled: "warning",
  failed: "error",
  error: "error",
  down: "error",
  disabled: "default",
};

export function StatusChip({ status, label }: { status?: string | null; label?: string }) {
  const key = (status ?? "").toLowerCase();
  return (
    <Chip
      size="small"
      color={STATE_COLORS[key] ?? "default"}
      variant={key === "running" || key === "success" || key === "failed" ? "filled" : "outlined"}
      label={label ?? humanize(status ?? "unknown")}
    />
  );
}

export function TagChips({ tags, max = 3 }: { tags?: readonly string[] | null; max?: number }) {
  if (!tags || tags.length === 0) return null;
  const shown = tags.slice(0, max);
  return (
    <Stack direction="row" spacing={0.5}>
      {shown.map((t) => (
        <Chip key={t} size="small" label={t} />
      ))}
      {tags.length > max && <Chip size="small" variant="outlined" label={`+${tags.length - max}`} />}
    </Stack>
  );
}
