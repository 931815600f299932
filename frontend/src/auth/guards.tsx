import type { ReactNode } from "react";
import { Navigate, useLocation } from "react-router";
import { Button, Stack } from "@mui/material";
import { ErrorState } from "../components/ErrorState";
import { FullPageLoader } from "../components/Loading";
import { ForbiddenPage } from "../pages/errors/ForbiddenPage";
import { useAuth, useCan } from "./context";
import type { Permission } from "./permissions";

/** Signed-in users only; anyone else goes to the login page and comes back here afterwards. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { status, bootError, retry } = useAuth();
  const location = useLocation();
  if (status === "loading") return <FullPageLoader />;
  if (status === "unreachable") {
    return (
      <Stack sx={{ minHeight: "100vh", p: 3 }} alignItems="center" justifyContent="center">
        <Stack sx={{ maxWidth: 560, width: "100%" }} spacing={2}>
          <ErrorState error={bootError} onRetry={retry} />
          <Button onClick={() => window.location.reload()}>Reload the page</Button>
        </Stack>
      </Stack>
    );
  }
  if (status === "anonymous") {
    const next = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`/login?next=${next}`} replace />;
  }
  return <>{children}</>;
}

/** A page a role may not use shows the 403 page, also when its URL is typed in. */
export function RequirePermission({ permission, children }: { permission: Permission; children: ReactNode }) {
  const can = useCan();
  return can(permission) ? <>{children}</> : <ForbiddenPage permission={permission} />;
}

/** Render children only when the user has the permission (buttons, menu items). */
export function Can({
  permission,
  children,
  fallback = null,
}: {
  permission: Permission;
  children: ReactNode;
  fallback?: ReactNode;
}) {
  const can = useCan();
  return <>{can(permission) ? children : fallback}</>;
}
