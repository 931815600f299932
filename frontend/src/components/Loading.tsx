import { Box, CircularProgress, Stack, Typography } from "@mui/material";

export function FullPageLoader({ label = "Loading ModelHub…" }: { label?: string }) {
  return (
    <Stack alignItems="center" justifyContent="center" spacing={2} sx={{ minHeight: "100vh" }} role="progressbar">
      <CircularProgress size={32} />
      <Typography color="text.secondary" variant="body2">
        {label}
      </Typography>
    </Stack>
  );
}

export function InlineLoader({ label }: { label?: string }) {
  return (
    <Box sx={{ py: 6, display: "grid", placeItems: "center", gap: 1.5 }} role="progressbar">
      <CircularProgress size={28} />
      {label && (
        <Typography color="text.secondary" variant="body2">
          {label}
        </Typography>
      )}
    </Box>
  );
}
