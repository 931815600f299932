import type { FormEvent, ReactNode } from "react";
import { Alert, Button, Dialog, DialogActions, DialogContent, DialogTitle, type DialogProps } from "@mui/material";

/**
 * The scaffolding every form dialog shares: a title, a failure above the fields, Cancel and a
 * submit button that says what it does and shows when it is busy.
 */
export function FormDialog({
  open,
  title,
  children,
  submitLabel,
  busyLabel,
  busy = false,
  submitDisabled = false,
  failure,
  onSubmit,
  onClose,
  maxWidth = "sm",
  danger = false,
  extraActions,
}: {
  open: boolean;
  title: ReactNode;
  children: ReactNode;
  submitLabel: string;
  busyLabel?: string;
  busy?: boolean;
  submitDisabled?: boolean;
  /** shown above the fields: what went wrong that no single field explains */
  failure?: ReactNode;
  onSubmit: () => void | Promise<void>;
  onClose: () => void;
  maxWidth?: DialogProps["maxWidth"];
  danger?: boolean;
  extraActions?: ReactNode;
}) {
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void onSubmit();
  };
  const titleId = `dialog-${submitLabel.replace(/\W+/g, "-").toLowerCase()}`;
  return (
    <Dialog open={open} onClose={busy ? undefined : onClose} maxWidth={maxWidth} fullWidth aria-labelledby={titleId}>
      <form onSubmit={submit} noValidate>
        <DialogTitle id={titleId}>{title}</DialogTitle>
        <DialogContent dividers>
          {failure && (
            <Alert severity="error" sx={{ mb: 2 }} role="alert">
              {failure}
            </Alert>
          )}
          {children}
        </DialogContent>
        <DialogActions sx={{ px: 3, py: 2 }}>
          {extraActions}
          <Button onClick={onClose} disabled={busy}>
            Cancel
          </Button>
          <Button type="submit" variant="contained" color={danger ? "error" : "primary"} disabled={busy || submitDisabled}>
            {busy ? (busyLabel ?? `${submitLabel}…`) : submitLabel}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
