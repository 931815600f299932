import { useState, type FormEvent } from "react";
import { Alert, Box, Button, Card, CardContent, Stack, TextField, Typography } from "@mui/material";
import LoginIcon from "@mui/icons-material/Login";
import { Navigate, useNavigate, useSearchParams } from "react-router";
import { describeError, isApiError } from "../../api/errors";
import { safeReturnTo, useAuth } from "../../auth/context";
import { FullPageLoader } from "../../components/Loading";
import { ErrorState } from "../../components/ErrorState";
import { Logo } from "../../layouts/AppShell";
import { validateLogin, type LoginErrors as Errors } from "./loginValidation";

function loginErrorMessage(error: unknown): string {
  if (isApiError(error) && error.status === 401) return "Wrong username or password, or the account is disabled.";
  if (isApiError(error) && error.status === 429)
    return "Too many failed sign-ins for this account. Wait a minute, then try again.";
  const { message } = describeError(error);
  return message;
}

function BuiltinForm({ next }: { next: string }) {
  const { signIn } = useAuth();
  const navigate = useNavigate();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = validateLogin(username, password);
    setErrors(found);
    setFailure(null);
    if (found.username || found.password) return;
    setBusy(true);
    try {
      await signIn(username.trim(), password);
      navigate(next, { replace: true });
    } catch (error) {
      setFailure(loginErrorMessage(error));
      setBusy(false);
    }
  };

  return (
    <Box component="form" noValidate onSubmit={submit} aria-label="sign in">
      <Stack spacing={2}>
        {failure && (
          <Alert severity="error" role="alert">
            {failure}
          </Alert>
        )}
        <TextField
          label="Username"
          name="username"
          autoComplete="username"
          autoFocus
          fullWidth
          size="medium"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          error={!!errors.username}
          helperText={errors.username}
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          fullWidth
          size="medium"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={!!errors.password}
          helperText={errors.password}
        />
        <Button type="submit" variant="contained" size="large" disabled={busy} startIcon={<LoginIcon />}>
          {busy ? "Signing in…" : "Sign in"}
        </Button>
      </Stack>
    </Box>
  );
}

function ProviderLogin({ next }: { next: string }) {
  const { signInWithProvider, config } = useAuth();
  const [failure, setFailure] = useState<unknown>(null);
  return (
    <Stack spacing={2}>
      {failure !== null && <ErrorState error={failure} />}
      <Typography variant="body2" color="text.secondary">
        Your organisation signs in through its identity provider
        {config?.issuer ? ` (${new URL(config.issuer).host})` : ""}.
      </Typography>
      <Button
        variant="contained"
        size="large"
        startIcon={<LoginIcon />}
        onClick={() => signInWithProvider(next).catch(setFailure)}
      >
        Sign in with single sign-on
      </Button>
    </Stack>
  );
}

export function LoginPage() {
  const { status, config, notice, bootError, retry } = useAuth();
  const [params] = useSearchParams();
  const next = safeReturnTo(params.get("next"));
  if (status === "loading") return <FullPageLoader />;
  if (status === "authenticated") return <Navigate to={next} replace />;
  return (
    <Box
      sx={{
        minHeight: "100vh",
        display: "grid",
        placeItems: "center",
        p: 2,
        background: "linear-gradient(160deg, #eef3f8 0%, #f4f6f9 45%, #e8eef5 100%)",
      }}
    >
      <Box sx={{ width: "100%", maxWidth: 420 }}>
        <Stack alignItems="center" sx={{ mb: 3 }}>
          <Logo />
        </Stack>
        <Card sx={{ boxShadow: "0 8px 30px rgba(16, 24, 40, 0.06)" }}>
          <CardContent sx={{ p: 4 }}>
            <Typography variant="h5" component="h1" gutterBottom>
              Sign in
            </Typography>
            <Typography variant="body2" color="text.secondary" sx={{ mb: 3 }}>
              The organisation's models, deployments and executions in one place.
            </Typography>
            {notice && (
              <Alert severity="info" sx={{ mb: 2 }}>
                {notice}
              </Alert>
            )}
            {status === "unreachable" ? (
              <ErrorState error={bootError} onRetry={retry} />
            ) : config?.mode === "oidc" ? (
              <ProviderLogin next={next} />
            ) : (
              <BuiltinForm next={next} />
            )}
          </CardContent>
        </Card>
      </Box>
    </Box>
  );
}
