import { useMemo, useState } from "react";
import { Avatar, Box, Button, Chip, MenuItem, Stack, TextField, Typography } from "@mui/material";
import { GridActionsCellItem, type GridColDef } from "@mui/x-data-grid";
import PersonAddAlt1OutlinedIcon from "@mui/icons-material/PersonAddAlt1Outlined";
import AdminPanelSettingsOutlinedIcon from "@mui/icons-material/AdminPanelSettingsOutlined";
import BlockOutlinedIcon from "@mui/icons-material/BlockOutlined";
import CheckCircleOutlineIcon from "@mui/icons-material/CheckCircleOutline";
import { describeError } from "../../api/errors";
import { fetchUsers, keys, useUpdateUser } from "../../api/hooks";
import { ROLES, type Role, type User } from "../../api/types";
import { useAuth } from "../../auth/context";
import { Can } from "../../auth/guards";
import { RoleChips } from "../../components/Chips";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { EmptyState } from "../../components/EmptyState";
import { FilterBar } from "../../components/FilterBar";
import { FILTER_FIELD_SX } from "../../components/styles";
import { formatDateTime, initials } from "../../components/format";
import { ServerDataGrid } from "../../components/grid/ServerDataGrid";
import { useCursorQuery } from "../../components/grid/useCursorQuery";
import { PageHeader } from "../../components/PageHeader";
import { SearchField } from "../../components/SearchField";
import { Toast, type ToastMessage } from "../../components/Toast";
import { CreateUserDialog } from "./CreateUserDialog";
import { EditRolesDialog } from "./EditRolesDialog";

function fullName(user: User): string {
  return [user.first_name, user.last_name].filter(Boolean).join(" ");
}

export function UsersPage() {
  const { me } = useAuth();
  const [q, setQ] = useState("");
  const [role, setRole] = useState<Role | "">("");
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<User | null>(null);
  const [toggling, setToggling] = useState<User | null>(null);
  const [toast, setToast] = useState<ToastMessage | null>(null);
  const update = useUpdateUser();

  const grid = useCursorQuery<User>({
    queryKey: keys.users,
    filters: { q, role },
    fetchPage: ({ cursor, limit }) => fetchUsers({ q, role: role || undefined, cursor, limit }),
  });

  const columns = useMemo<GridColDef<User>[]>(
    () => [
      {
        field: "username",
        headerName: "User",
        flex: 1.4,
        minWidth: 220,
        renderCell: ({ row }) => (
          <Stack direction="row" spacing={1.25} alignItems="center" sx={{ height: "100%" }}>
            <Avatar sx={{ width: 26, height: 26, fontSize: 11, bgcolor: row.disabled ? "grey.400" : "primary.light" }}>
              {initials(fullName(row) || row.username)}
            </Avatar>
            <Box sx={{ minWidth: 0, lineHeight: 1.2 }}>
              <Typography variant="body2" fontWeight={600} noWrap>
                {row.username}
              </Typography>
              <Typography variant="caption" color="text.secondary" noWrap component="div">
                {fullName(row) || "—"}
              </Typography>
            </Box>
          </Stack>
        ),
      },
      { field: "email", headerName: "E-mail", flex: 1.3, minWidth: 200, valueGetter: (v) => v ?? "—" },
      {
        field: "roles",
        headerName: "Roles",
        flex: 1.4,
        minWidth: 220,
        renderCell: ({ row }) => (
          <Box sx={{ display: "flex", alignItems: "center", height: "100%" }}>
            <RoleChips roles={row.roles} />
          </Box>
        ),
      },
      {
        field: "disabled",
        headerName: "Status",
        width: 110,
        renderCell: ({ row }) =>
          row.disabled ? (
            <Chip size="small" label="Disabled" variant="outlined" />
          ) : (
            <Chip size="small" label="Active" color="success" variant="outlined" />
          ),
      },
      { field: "created_at", headerName: "Created", width: 185, valueFormatter: (v: string | null) => formatDateTime(v) },
      {
        field: "actions",
        type: "actions",
        headerName: "",
        width: 90,
        getActions: ({ row }) => {
          const self = row.id === me?.id;
          return [
            <GridActionsCellItem
              key="roles"
              icon={<AdminPanelSettingsOutlinedIcon fontSize="small" />}
              label="Change roles"
              onClick={() => setEditing(row)}
              showInMenu
            />,
            <GridActionsCellItem
              key="toggle"
              icon={row.disabled ? <CheckCircleOutlineIcon fontSize="small" /> : <BlockOutlinedIcon fontSize="small" />}
              label={row.disabled ? "Enable" : self ? "Disable (not yourself)" : "Disable"}
              disabled={self && !row.disabled}
              onClick={() => setToggling(row)}
              showInMenu
            />,
          ];
        },
      },
    ],
    [me?.id],
  );

  const filtered = q !== "" || role !== "";

  const confirmToggle = async () => {
    if (!toggling) return;
    const disabled = !toggling.disabled;
    try {
      await update.mutateAsync({ id: toggling.id, body: { disabled } });
      setToast({ text: `${toggling.username} is ${disabled ? "disabled" : "enabled again"}` });
    } catch (error) {
      setToast({ text: describeError(error).message, severity: "error" });
    }
    setToggling(null);
  };

  return (
    <>
      <PageHeader
        title="Users"
        subtitle="Who can sign in, and what each role may do."
        actions={
          <Can permission="manage_users">
            <Button variant="contained" startIcon={<PersonAddAlt1OutlinedIcon />} onClick={() => setCreating(true)}>
              Create user
            </Button>
          </Can>
        }
      />
      <FilterBar total={grid.total} noun="user" active={filtered} onClear={() => { setQ(""); setRole(""); }} label="user filters">
        <SearchField value={q} onChange={setQ} placeholder="Search username or e-mail" />
        <TextField
          select
          label="Role"
          value={role}
          onChange={(e) => setRole(e.target.value as Role | "")}
          sx={{ minWidth: 180, ...FILTER_FIELD_SX }}
        >
          <MenuItem value="">All roles</MenuItem>
          {ROLES.map((r) => (
            <MenuItem key={r.value} value={r.value}>
              {r.label}
            </MenuItem>
          ))}
        </TextField>
      </FilterBar>
      <ServerDataGrid<User>
        aria-label="users"
        rows={grid.rows}
        columns={columns}
        loading={grid.query.isFetching}
        rowCount={grid.rowCount}
        paginationMeta={grid.paginationMeta}
        paginationModel={grid.paginationModel}
        onPaginationModelChange={grid.onPaginationModelChange}
        disableColumnSorting
        error={grid.query.error}
        onRetry={() => void grid.query.refetch()}
        getRowHeight={() => 52}
        empty={
          filtered ? (
            <EmptyState compact title="No user matches" description="Try another search or role." />
          ) : (
            <EmptyState
              compact
              title="No users yet"
              description="Create the first account, then hand its initial password to its owner."
              action={
                <Button variant="contained" onClick={() => setCreating(true)}>
                  Create user
                </Button>
              }
            />
          )
        }
      />
      <CreateUserDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(user) => setToast({ text: `User ${user.username} created` })}
      />
      {editing && <EditRolesDialog user={editing} onClose={() => setEditing(null)} />}
      <ConfirmDialog
        open={!!toggling}
        title={toggling?.disabled ? `Enable ${toggling?.username}?` : `Disable ${toggling?.username}?`}
        confirmLabel={toggling?.disabled ? "Enable" : "Disable"}
        danger={!toggling?.disabled}
        busy={update.isPending}
        onConfirm={confirmToggle}
        onClose={() => setToggling(null)}
      >
        {toggling?.disabled
          ? "They can sign in again with their password."
          : "They can no longer sign in or refresh their session. Nothing they created is deleted, and you can enable them again."}
      </ConfirmDialog>
      <Toast message={toast} onClose={() => setToast(null)} />
    </>
  );
}
