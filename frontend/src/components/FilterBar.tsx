import type { ReactNode } from "react";
import { Button, Stack, Typography } from "@mui/material";
import FilterAltOffOutlinedIcon from "@mui/icons-material/FilterAltOffOutlined";
import { formatCount } from "./format";


/**
 * The row of filters above a list (deployments, executions, audit …): the controls, a "Clear"
 * button while any filter is set, and the number of matches on the right.
 */
export function FilterBar({
  children,
  total,
  noun,
  plural,
  active = false,
  onClear,
  label = "filters",
}: {
  children: ReactNode;
  total?: number | null;
  /** "deployment" → "1 deployment", "12 deployments" */
  noun: string;
  plural?: string;
  active?: boolean;
  onClear?: () => void;
  label?: string;
}) {
  return (
    <Stack
      direction="row"
      spacing={1.5}
      useFlexGap
      alignItems="center"
      sx={{ mb: 2, flexWrap: "wrap" }}
      role="search"
      aria-label={label}
    >
      {children}
      {active && onClear && (
        <Button startIcon={<FilterAltOffOutlinedIcon />} onClick={onClear}>
          Clear
        </Button>
      )}
      {total !== null && total !== undefined && (
        // pushed right, also when the filters wrap onto a second line
        <Typography variant="body2" color="text.secondary" data-testid="filter-total" sx={{ ml: "auto" }}>
          {formatCount(total)} {total === 1 ? noun : (plural ?? `${noun}s`)}
        </Typography>
      )}
    </Stack>
  );
}
