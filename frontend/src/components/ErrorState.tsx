import { Alert, AlertTitle, Button, Typography } from "@mui/material";
import CloudOffOutlinedIcon from "@mui/icons-material/CloudOffOutlined";
import RefreshIcon from "@mui/icons-material/Refresh";
import { describeError, isUnavailable } from "../api/errors";
import { EmptyState } from "./EmptyState";

export interface Unavailable {
  /** e.g. "Deployments" */
  feature: string;
  /** e.g. "/api/deployments" */
  path: string;
}

/**
 * A failed load, in words that say what to do. When `unavailable` is given and the server
 * answers 404, the feature's API is not on this server (yet): say so instead of "not found".
 */
export function ErrorState({
  error,
  onRetry,
  unavailable,
  compact = false,
}: {
  error: unknown;
  onRetry?: () => void;
  unavailable?: Unavailable;
  compact?: boolean;
}) {
  if (unavailable && isUnavailable(error)) {
    return (
      <EmptyState
        compact={compact}
        icon={<CloudOffOutlinedIcon />}
        title={`${unavailable.feature} are not available on this server yet`}
        description={
          <>
            This ModelHub server does not answer <code>{unavailable.path}</code>. The page works as soon as the server
            is updated with this feature; ask your administrator, or check again later.
          </>
        }
        action={
          onRetry && (
            <Button variant="outlined" startIcon={<RefreshIcon />} onClick={onRetry}>
              Check again
            </Button>
          )
        }
      />
    );
  }
  const { title, message, requestId } = describeError(error);
  return (
    <Alert
      severity="error"
      variant="outlined"
      sx={{ bgcolor: "background.paper", alignItems: "flex-start" }}
      action={
        onRetry && (
          <Button color="inherit" size="small" startIcon={<RefreshIcon />} onClick={onRetry}>
            Try again
          </Button>
        )
      }
      role="alert"
    >
      <AlertTitle>{title}</AlertTitle>
      {message}
      {requestId && (
        <Typography variant="caption" component="div" sx={{ mt: 0.5, fontFamily: "monospace" }}>
          request id: {requestId}
        </Typography>
      )}
    </Alert>
  );
}
