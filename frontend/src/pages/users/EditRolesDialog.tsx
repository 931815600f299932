import { useState } from "react";
import { Alert, Button, Dialog, DialogActions, DialogContent, DialogTitle, Typography } from "@mui/material";
import { describeError } from "../../api/errors";
import { useUpdateUser } from "../../api/hooks";
import type { Role, User } from "../../api/types";
import { RolePicker } from "./RolePicker";

export function EditRolesDialog({ user, onClose }: { user: User; onClose: () => void }) {
  const [roles, setRoles] = useState<string[]>(user.roles);
  const [error, setError] = useState<string | undefined>();
  const update = useUpdateUser();
  const unchanged = [...roles].sort().join() === [...user.roles].sort().join();

  const save = async () => {
    if (roles.length === 0) return setError("Pick at least one role");
    try {
      await update.mutateAsync({ id: user.id, body: { roles: roles as Role[] } });
      onClose();
    } catch (e) {
      setError(describeError(e).message);
    }
  };

  return (
    <Dialog open onClose={onClose} maxWidth="sm" fullWidth>
      <DialogTitle>Change roles of {user.username}</DialogTitle>
      <DialogContent dividers>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
          Roles take effect at the user's next sign-in or token refresh.
        </Typography>
        {error && roles.length > 0 && (
          <Alert severity="error" sx={{ mb: 2 }}>
            {error}
          </Alert>
        )}
        <RolePicker
          value={roles}
          onChange={(next) => {
            setRoles(next);
            setError(undefined);
          }}
          error={roles.length === 0 ? (error ?? "Pick at least one role") : undefined}
        />
      </DialogContent>
      <DialogActions sx={{ px: 3, py: 2 }}>
        <Button onClick={onClose}>Cancel</Button>
        <Button variant="contained" onClick={save} disabled={unchanged || update.isPending}>
          {update.isPending ? "Saving…" : "Save roles"}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
