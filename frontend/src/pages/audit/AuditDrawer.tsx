import { Chip, Divider, Stack, Typography } from "@mui/material";
import type { AuditEntry } from "../../api/types";
import { formatDateTime } from "../../components/format";
import { JsonDiff } from "../../components/JsonDiff";
import { Fact, SideDrawer } from "../../components/SideDrawer";

export function AuditDrawer({ entry, onClose }: { entry: AuditEntry | null; onClose: () => void }) {
  return (
    <SideDrawer
      open={!!entry}
      onClose={onClose}
      testId="audit-drawer"
      title={
        entry && (
          <>
            <Chip label={entry.action} size="small" color="primary" variant="outlined" sx={{ mr: 1 }} />
            {entry.entity_type} {entry.entity_id}
          </>
        )
      }
    >
      {entry && (
        <>
          <Stack direction="row" spacing={4} useFlexGap sx={{ mb: 2, flexWrap: "wrap" }}>
            <Fact label="When">{formatDateTime(entry.at)}</Fact>
            <Fact label="Who">{entry.actor}</Fact>
            <Fact label="Request id">{entry.request_id}</Fact>
          </Stack>
          <Divider sx={{ mb: 2 }} />
          <Typography variant="subtitle1" gutterBottom>
            Changes
          </Typography>
          <JsonDiff before={entry.before} after={entry.after} />
        </>
      )}
    </SideDrawer>
  );
}
