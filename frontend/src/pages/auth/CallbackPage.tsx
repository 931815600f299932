import { useEffect, useRef, useState } from "react";
import { Button, Stack } from "@mui/material";
import { Link as RouterLink, useNavigate } from "react-router";
import { safeReturnTo, useAuth } from "../../auth/context";
import { ErrorState } from "../../components/ErrorState";
import { FullPageLoader } from "../../components/Loading";

/** Where the identity provider sends the browser back after login (authorization code + PKCE). */
export function CallbackPage() {
  const { config, completeProviderSignIn } = useAuth();
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>(null);
  const started = useRef(false);
  useEffect(() => {
    if (!config || started.current) return;
    started.current = true;
    completeProviderSignIn()
      .then((returnTo) => {
        if (returnTo !== null) navigate(safeReturnTo(returnTo), { replace: true });
      })
      .catch(setError);
  }, [config, completeProviderSignIn, navigate]);
  if (error) {
    return (
      <Stack sx={{ minHeight: "100vh", p: 3 }} alignItems="center" justifyContent="center" spacing={2}>
        <ErrorState error={error} />
        <Button variant="contained" component={RouterLink} to="/login">
          Back to sign in
        </Button>
      </Stack>
    );
  }
  return <FullPageLoader label="Completing sign-in…" />;
}
