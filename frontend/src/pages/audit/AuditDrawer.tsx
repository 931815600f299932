import { Box, Chip, Divider, Drawer, IconButton, Stack, Typography } from "@mui/material";
import CloseIcon from "@mui/icons-material/Close";
import type { AuditEntry } from "../../api/types";
import { formatDateTime } from "../../components/format";
import { JsonDiff } from "../../components/JsonDiff";

function Fact({ label, value }: { label: string; value?: string | null }) {
  return (
    <Box>
      <Typography variant="caption" color="text.secondary">
        {label}
      </Typography>
      <Typography variant="body2" sx={{ wordBreak: "break-all" }}>
        {value || "—"}
      </Typography>
    </Box>
  );
}

export function AuditDrawer({ entry, onClose }: { entry: AuditEntry | null; onClose: () => void }) {
  return (
    <Drawer anchor="right" open={!!entry} onClose={onClose} slotProps={{ paper: { sx: { width: { xs: "100%", sm: 640 } } } }}>
      {entry && (
        <Box sx={{ p: 3 }} data-testid="audit-drawer">
          <Stack direction="row" alignItems="center" spacing={1} sx={{ mb: 2 }}>
            <Typography variant="h6" sx={{ flexGrow: 1 }}>
              <Chip label={entry.action} size="small" color="primary" variant="outlined" sx={{ mr: 1 }} />
              {entry.entity_type} {entry.entity_id}
            </Typography>
            <IconButton onClick={onClose} aria-label="close">
              <CloseIcon />
            </IconButton>
          </Stack>
          <Stack direction="row" spacing={4} useFlexGap sx={{ mb: 2, flexWrap: "wrap" }}>
            <Fact label="When" value={formatDateTime(entry.at)} />
            <Fact label="Who" value={entry.actor} />
            <Fact label="Request id" value={entry.request_id} />
          </Stack>
          <Divider sx={{ mb: 2 }} />
          <Typography variant="subtitle1" gutterBottom>
            Changes
          </Typography>
          <JsonDiff before={entry.before} after={entry.after} />
        </Box>
      )}
    </Drawer>
  );
}
