import { Button, Stack } from "@mui/material";
import LockOutlinedIcon from "@mui/icons-material/LockOutlined";
import { Link as RouterLink } from "react-router";
import { roleLabel } from "../../api/types";
import { useAuth } from "../../auth/context";
import { PERMISSION_LABELS, type Permission } from "../../auth/permissions";
import { EmptyState } from "../../components/EmptyState";

export function ForbiddenPage({ permission }: { permission?: Permission }) {
  const { me } = useAuth();
  const roles = me?.roles.map(roleLabel).join(", ") || "no role";
  return (
    <Stack sx={{ py: 8 }} data-testid="forbidden-page">
      <EmptyState
        icon={<LockOutlinedIcon />}
        title="403 — You don't have access to this page"
        description={
          <>
            Your role ({roles}) does not allow you to {permission ? PERMISSION_LABELS[permission] : "open this page"}. If
            you need it for your work, ask a ModelHub administrator to change your role.
          </>
        }
        action={
          <Button variant="contained" component={RouterLink} to="/">
            Go to the home page
          </Button>
        }
      />
    </Stack>
  );
}
