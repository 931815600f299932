import { useState } from "react";
import { Box, Button, Card, Chip, Divider, Skeleton, Stack, Typography } from "@mui/material";
import { FACET_FIELDS, type FacetParam, type Facets } from "../../api/registry";
import { humanize } from "../../components/format";

const SHOWN = 8;

function FacetGroup({
  label,
  values,
  selected,
  onToggle,
  param,
}: {
  label: string;
  values: { value: string; count: number }[];
  selected: string[];
  onToggle: (value: string) => void;
  param: FacetParam;
}) {
  const [all, setAll] = useState(false);
  const visible = all ? values : values.slice(0, SHOWN);
  // a selected value stays visible even when it is outside the top of the list
  for (const value of selected) {
    if (!visible.some((v) => v.value === value)) visible.push({ value, count: 0 });
  }
  return (
    <Box>
      <Typography variant="subtitle2" color="text.secondary" sx={{ mb: 1 }}>
        {label}
      </Typography>
      {values.length === 0 ? (
        <Typography variant="caption" color="text.secondary">
          No values yet
        </Typography>
      ) : (
        <Stack direction="row" sx={{ flexWrap: "wrap", gap: 0.75 }}>
          {visible.map(({ value, count }) => {
            const on = selected.includes(value);
            return (
              <Chip
                key={value}
                size="small"
                clickable
                color={on ? "primary" : "default"}
                variant={on ? "filled" : "outlined"}
                label={`${param === "framework" || param === "task_type" ? humanize(value) : value} · ${count}`}
                onClick={() => onToggle(value)}
                aria-pressed={on}
                data-testid={`facet-${param}-${value}`}
              />
            );
          })}
          {values.length > SHOWN && (
            <Button size="small" onClick={() => setAll(!all)} sx={{ minWidth: 0, px: 1, py: 0 }}>
              {all ? "Fewer" : `+${values.length - SHOWN} more`}
            </Button>
          )}
        </Stack>
      )}
    </Box>
  );
}

export function FacetPanel({
  facets,
  loading,
  selected,
  onToggle,
}: {
  facets?: Facets;
  loading: boolean;
  selected: Record<FacetParam, string[]>;
  onToggle: (param: FacetParam, value: string) => void;
}) {
  return (
    <Card sx={{ p: 2 }} component="aside" aria-label="filters">
      <Typography variant="subtitle1" sx={{ mb: 1.5 }}>
        Filters
      </Typography>
      <Stack spacing={2} divider={<Divider flexItem />}>
        {FACET_FIELDS.map(({ facet, param, label }) =>
          loading && !facets ? (
            <Box key={facet}>
              <Skeleton width={90} />
              <Skeleton height={28} />
            </Box>
          ) : (
            <FacetGroup
              key={facet}
              label={label}
              param={param}
              values={facets?.facets?.[facet] ?? []}
              selected={selected[param]}
              onToggle={(value) => onToggle(param, value)}
            />
          ),
        )}
      </Stack>
    </Card>
  );
}
