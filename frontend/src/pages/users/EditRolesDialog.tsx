import { useState } from "react";
import { Typography } from "@mui/material";
import { describeError } from "../../api/errors";
import { useUpdateUser } from "../../api/hooks";
import type { Role, User } from "../../api/types";
import { FormDialog } from "../../components/FormDialog";
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
    <FormDialog
      open
      title={`Change roles of ${user.username}`}
      submitLabel="Save roles"
      busyLabel="Saving…"
      busy={update.isPending}
      submitDisabled={unchanged}
      failure={error && roles.length > 0 ? error : undefined}
      onSubmit={save}
      onClose={onClose}
    >
      <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
        Roles take effect at the user's next sign-in or token refresh.
      </Typography>
      <RolePicker
        value={roles}
        onChange={(next) => {
          setRoles(next);
          setError(undefined);
        }}
        error={roles.length === 0 ? (error ?? "Pick at least one role") : undefined}
      />
    </FormDialog>
  );
}
