import { useMemo, useState } from "react";
import { Box, Button, Chip, TextField, Typography } from "@mui/material";
import type { GridColDef } from "@mui/x-data-grid";
import { fetchAudit, keys, type AuditFilters } from "../../api/hooks";
import type { AuditEntry } from "../../api/types";
import { EmptyState } from "../../components/EmptyState";
import { FilterBar } from "../../components/FilterBar";
import { FILTER_FIELD_SX } from "../../components/styles";
import { formatDateTime, timeAgo } from "../../components/format";
import { ServerDataGrid } from "../../components/grid/ServerDataGrid";
import { useCursorQuery } from "../../components/grid/useCursorQuery";
import { PageHeader } from "../../components/PageHeader";
import { useDebounced } from "../../components/useDebounced";
import { AuditDrawer } from "./AuditDrawer";

const EMPTY: AuditFilters = { actor: "", action: "", entity_type: "", entity_id: "", since: "", until: "" };

/** datetime-local gives "2025-01-31T10:00" in local time; the API wants an ISO instant. */
function toIso(local?: string): string | undefined {
  if (!local) return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

const columns: GridColDef<AuditEntry>[] = [
  {
    field: "at",
    headerName: "When",
    width: 190,
    renderCell: ({ row }) => (
      <Box sx={{ lineHeight: 1.25, py: 0.75 }}>
        <Typography variant="body2">{formatDateTime(row.at)}</Typography>
        <Typography variant="caption" color="text.secondary">
          {timeAgo(row.at)}
        </Typography>
      </Box>
    ),
  },
  { field: "actor", headerName: "Who", width: 160 },
  {
    field: "action",
    headerName: "Action",
    width: 170,
    renderCell: ({ value }) => <Chip size="small" variant="outlined" color="primary" label={value} />,
  },
  { field: "entity_type", headerName: "Entity", width: 120 },
  { field: "entity_id", headerName: "Entity id", flex: 1, minWidth: 200 },
  {
    field: "changed",
    headerName: "Changed fields",
    flex: 1,
    minWidth: 200,
    sortable: false,
    valueGetter: (_v, row) => {
      const before = row.before ?? {};
      const after = row.after ?? {};
      if (!row.before) return "created";
      if (!row.after) return "deleted";
      return Object.keys({ ...before, ...after })
        .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]))
        .join(", ");
    },
  },
];

export function AuditPage() {
  const [form, setForm] = useState<AuditFilters>(EMPTY);
  const [selected, setSelected] = useState<AuditEntry | null>(null);
  const debounced = useDebounced(form, 350);
  const filters = useMemo(
    () => ({ ...debounced, since: toIso(debounced.since), until: toIso(debounced.until) }),
    [debounced],
  );
  const grid = useCursorQuery<AuditEntry>({
    queryKey: keys.audit,
    filters,
    fetchPage: ({ cursor, limit }) => fetchAudit({ ...filters, cursor, limit }),
  });
  const set = (key: keyof AuditFilters) => (e: React.ChangeEvent<HTMLInputElement>) =>
    setForm((f) => ({ ...f, [key]: e.target.value }));
  const filtered = Object.values(form).some(Boolean);

  return (
    <>
      <PageHeader title="Audit log" subtitle="Every change to users, models, deployments and executions: who, what, when, before and after." />
      <FilterBar total={grid.total} noun="entry" plural="entries" active={filtered} onClear={() => setForm(EMPTY)} label="audit filters">
        <TextField label="Who" value={form.actor} onChange={set("actor")} sx={{ width: 140, ...FILTER_FIELD_SX }} />
        <TextField label="Action" placeholder="user.create" value={form.action} onChange={set("action")} sx={{ width: 150, ...FILTER_FIELD_SX }} />
        <TextField label="Entity" placeholder="user" value={form.entity_type} onChange={set("entity_type")} sx={{ width: 120, ...FILTER_FIELD_SX }} />
        <TextField label="Entity id" value={form.entity_id} onChange={set("entity_id")} sx={{ width: 180, ...FILTER_FIELD_SX }} />
        <TextField
          label="From"
          type="datetime-local"
          value={form.since}
          onChange={set("since")}
          sx={{ width: 200, ...FILTER_FIELD_SX }}
          slotProps={{ inputLabel: { shrink: true } }}
        />
        <TextField
          label="Until"
          type="datetime-local"
          value={form.until}
          onChange={set("until")}
          sx={{ width: 200, ...FILTER_FIELD_SX }}
          slotProps={{ inputLabel: { shrink: true } }}
        />
      </FilterBar>
      <ServerDataGrid<AuditEntry>
        aria-label="audit log"
        rows={grid.rows}
        columns={columns}
        loading={grid.query.isFetching}
        rowCount={grid.rowCount}
        paginationMeta={grid.paginationMeta}
        paginationModel={grid.paginationModel}
        onPaginationModelChange={grid.onPaginationModelChange}
        disableColumnSorting
        getRowHeight={() => 52}
        onRowClick={({ row }) => setSelected(row)}
        sx={{ "& .MuiDataGrid-row": { cursor: "pointer" } }}
        error={grid.query.error}
        onRetry={() => void grid.query.refetch()}
        empty={
          filtered ? (
            <EmptyState
              compact
              title="No entry matches these filters"
              description="Widen the time range or clear a filter."
              action={<Button onClick={() => setForm(EMPTY)}>Clear filters</Button>}
            />
          ) : (
            <EmptyState compact title="Nothing recorded yet" description="Changes to users, models and deployments appear here as they happen." />
          )
        }
      />
      <AuditDrawer entry={selected} onClose={() => setSelected(null)} />
    </>
  );
}
