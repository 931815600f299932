import { Alert, Snackbar } from "@mui/material";

export interface ToastMessage {
  text: string;
  severity?: "success" | "error" | "info";
}

export function Toast({ message, onClose }: { message: ToastMessage | null; onClose: () => void }) {
  return (
    <Snackbar
      open={!!message}
      autoHideDuration={5000}
      onClose={onClose}
      anchorOrigin={{ vertical: "bottom", horizontal: "center" }}
    >
      <Alert severity={message?.severity ?? "success"} variant="filled" onClose={onClose} sx={{ minWidth: 320 }}>
        {message?.text}
      </Alert>
    </Snackbar>
  );
}
