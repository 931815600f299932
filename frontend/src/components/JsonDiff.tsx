import { Box, Table, TableBody, TableCell, TableHead, TableRow, Typography } from "@mui/material";
import { diffRecords, type Doc } from "./diff";

function show(value: unknown): string {
  if (value === undefined) return "";
  if (typeof value === "string") return value;
  return JSON.stringify(value, null, 1);
}

const TONES = {
  added: { bg: "#e8f5ec", fg: "#1e6b3a" },
  removed: { bg: "#fdecea", fg: "#a1271d" },
  changed: { bg: "#fff6e0", fg: "#7a4d00" },
  same: { bg: "transparent", fg: "inherit" },
};

export function JsonDiff({ before, after, onlyChanges = false }: { before: Doc; after: Doc; onlyChanges?: boolean }) {
  const rows = diffRecords(before, after).filter((r) => !onlyChanges || r.change !== "same");
  if (rows.length === 0) {
    return (
      <Typography variant="body2" color="text.secondary">
        This entry recorded no field values.
      </Typography>
    );
  }
  return (
    <Table size="small" sx={{ tableLayout: "fixed", "& td, & th": { verticalAlign: "top" } }} aria-label="changes">
      <TableHead>
        <TableRow>
          <TableCell sx={{ width: "24%", fontWeight: 600 }}>Field</TableCell>
          <TableCell sx={{ fontWeight: 600 }}>Before</TableCell>
          <TableCell sx={{ fontWeight: 600 }}>After</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {rows.map((row) => (
          <TableRow key={row.key} sx={{ bgcolor: TONES[row.change].bg }} data-change={row.change}>
            <TableCell sx={{ fontFamily: "monospace", fontSize: 12, color: TONES[row.change].fg, fontWeight: 600 }}>
              {row.key}
            </TableCell>
            {[row.before, row.after].map((value, i) => (
              <TableCell key={i} sx={{ fontFamily: "monospace", fontSize: 12, wordBreak: "break-word" }}>
                <Box component="pre" sx={{ m: 0, whiteSpace: "pre-wrap" }}>
                  {show(value) || <span style={{ opacity: 0.45 }}>—</span>}
                </Box>
              </TableCell>
            ))}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
