import type { ReactNode } from "react";
import { Box, Drawer, IconButton, Stack, Typography } from "@mui/material";
import CloseIcon from "@mui/icons-material/Close";

/** A details panel from the right: a title row with a close button, then the content. */
export function SideDrawer({
  open,
  title,
  onClose,
  children,
  width = 640,
  testId,
}: {
  open: boolean;
  title: ReactNode;
  onClose: () => void;
  children: ReactNode;
  width?: number;
  testId?: string;
}) {
  return (
    <Drawer anchor="right" open={open} onClose={onClose} slotProps={{ paper: { sx: { width: { xs: "100%", sm: width } } } }}>
      {open && (
        <Box sx={{ p: 3 }} data-testid={testId}>
          <Stack direction="row" alignItems="center" spacing={1} sx={{ mb: 2 }}>
            <Typography variant="h6" component="div" sx={{ flexGrow: 1, minWidth: 0 }}>
              {title}
            </Typography>
            <IconButton onClick={onClose} aria-label="close">
              <CloseIcon />
            </IconButton>
          </Stack>
          {children}
        </Box>
      )}
    </Drawer>
  );
}

/** A labelled value in a details panel. */
export function Fact({ label, children }: { label: string; children?: ReactNode }) {
  return (
    <Box sx={{ minWidth: 0 }}>
      <Typography variant="caption" color="text.secondary" component="div">
        {label}
      </Typography>
      <Box sx={{ fontSize: 14, mt: 0.25, wordBreak: "break-word" }}>{children || children === 0 ? children : "—"}</Box>
    </Box>
  );
}
