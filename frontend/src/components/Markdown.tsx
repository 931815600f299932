import { useState, type ReactNode } from "react";
import { Box, Link, Tab, Table, TableBody, TableCell, TableHead, TableRow, Tabs, TextField, Typography } from "@mui/material";
import ReactMarkdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";

const SAFE_URL = /^(https?:\/\/|\/|#|mailto:)/i;

const HEADINGS = [
  ["h1", "h5"],
  ["h2", "h6"],
  ["h3", "subtitle1"],
  ["h4", "subtitle2"],
  ["h5", "subtitle2"],
  ["h6", "subtitle2"],
] as const;

/** Markdown elements as MUI ones; a document's `#` is a section of the page, so one level down. */
const components: Components = {
  ...Object.fromEntries(
    HEADINGS.map(([tag, variant], level) => [
      tag,
      ({ children }: { children?: ReactNode }) => (
        <Typography variant={variant} component={HEADINGS[Math.min(level + 1, 5)][0]} sx={{ mt: 2, mb: 1, fontWeight: 600 }}>
          {children}
        </Typography>
      ),
    ]),
  ),
  p: ({ children }) => (
    <Typography variant="body2" component="p" sx={{ my: 1 }}>
      {children}
    </Typography>
  ),
  a: ({ href, children }) =>
    href && SAFE_URL.test(href) ? (
      <Link href={href} target="_blank" rel="noopener noreferrer">
        {children}
      </Link>
    ) : (
      <>{children}</>
    ),
  // no remote images in documentation (they would load from anywhere): their text stands in
  img: ({ alt }) => <>{alt}</>,
  ul: ({ children }) => (
    <Box component="ul" sx={{ pl: 3, my: 1 }}>
      {children}
    </Box>
  ),
  ol: ({ children }) => (
    <Box component="ol" sx={{ pl: 3, my: 1 }}>
      {children}
    </Box>
  ),
  blockquote: ({ children }) => (
    <Box component="blockquote" sx={{ borderLeft: 3, borderColor: "divider", pl: 1.5, ml: 0, color: "text.secondary" }}>
      {children}
    </Box>
  ),
  pre: ({ children }) => (
    <Box
      component="pre"
      sx={{ fontFamily: "monospace", fontSize: 12.5, bgcolor: "action.hover", p: 1.5, borderRadius: 1, overflow: "auto", "& code": { bgcolor: "transparent", p: 0 } }}
    >
      {children}
    </Box>
  ),
  code: ({ children }) => (
    <Box component="code" sx={{ fontFamily: "monospace", fontSize: "0.9em", bgcolor: "action.hover", px: 0.5, borderRadius: 0.5 }}>
      {children}
    </Box>
  ),
  table: ({ children }) => (
    <Box sx={{ overflowX: "auto", my: 1.5 }}>
      <Table size="small" sx={{ width: "auto", "& th": { fontWeight: 600 } }}>
        {children}
      </Table>
    </Box>
  ),
  thead: ({ children }) => <TableHead>{children}</TableHead>,
  tbody: ({ children }) => <TableBody>{children}</TableBody>,
  tr: ({ children }) => <TableRow>{children}</TableRow>,
  th: ({ children, style }) => <TableCell component="th" sx={{ textAlign: style?.textAlign }}>{children}</TableCell>,
  td: ({ children, style }) => <TableCell sx={{ textAlign: style?.textAlign }}>{children}</TableCell>,
};

/**
 * Markdown with GitHub's tables, task lists and strikethrough (react-markdown + remark-gfm). Safe:
 * raw HTML shows as text and is never rendered, links go only to http(s), mailto and this site, and
 * images show their text, never load.
 */
export function Markdown({ source }: { source: string }) {
  return (
    <Box sx={{ "& > :first-of-type": { mt: 0 }, fontSize: 14, lineHeight: 1.6 }}>
      <ReactMarkdown remarkPlugins={[remarkGfm]} components={components}>
        {source}
      </ReactMarkdown>
    </Box>
  );
}

/** Write / Preview tabs over a Markdown text area. */
export function MarkdownEditor({
  label,
  value,
  onChange,
  error,
  helperText,
}: {
  label: string;
  value: string;
  onChange: (text: string) => void;
  error?: string;
  helperText?: string;
}) {
  const [tab, setTab] = useState<"write" | "preview">("write");
  return (
    <Box>
      <Tabs value={tab} onChange={(_e, v) => setTab(v)} sx={{ minHeight: 36, "& .MuiTab-root": { minHeight: 36, py: 0.5 } }}>
        <Tab value="write" label="Write" />
        <Tab value="preview" label="Preview" />
      </Tabs>
      {tab === "write" ? (
        <TextField
          label={label}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          multiline
          minRows={6}
          maxRows={24}
          fullWidth
          sx={{ mt: 1.5 }}
          error={!!error}
          helperText={error ?? helperText ?? "Markdown: # headings, **bold**, *italic*, `code`, lists, tables, [links](https://…)"}
          slotProps={{ htmlInput: { "aria-label": label } }}
        />
      ) : (
        <Box
          sx={{ mt: 1.5, p: 2, minHeight: 160, border: 1, borderColor: "divider", borderRadius: 1, bgcolor: "background.default" }}
          data-testid="markdown-preview"
        >
          {value.trim() ? <Markdown source={value} /> : <Typography variant="body2" color="text.secondary">Nothing to preview yet.</Typography>}
        </Box>
      )}
    </Box>
  );
}
