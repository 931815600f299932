import { Fragment, useState, type ReactNode } from "react";
import { Box, Link, Tab, Tabs, TextField, Typography } from "@mui/material";

/**
 * A small, safe Markdown renderer (no HTML passes through: everything becomes React elements):
 * headings, paragraphs, lists, block quotes, fenced code, `code`, **bold**, *italic*, links.
 */
export function Markdown({ source }: { source: string }) {
  return <Box sx={{ "& > :first-of-type": { mt: 0 }, fontSize: 14, lineHeight: 1.6 }}>{renderBlocks(source)}</Box>;
}

const SAFE_URL = /^(https?:\/\/|\/|#|mailto:)/i;

function renderInline(text: string, keyPrefix = "i"): ReactNode[] {
  const out: ReactNode[] = [];
  const pattern = /(`[^`]+`)|(\*\*[^*]+\*\*)|(\*[^*\s][^*]*\*|_[^_\s][^_]*_)|(\[[^\]]+\]\([^)\s]+\))/g;
  let last = 0;
  let match: RegExpExecArray | null;
  let n = 0;
  while ((match = pattern.exec(text))) {
    if (match.index > last) out.push(text.slice(last, match.index));
    const token = match[0];
    const key = `${keyPrefix}-${n++}`;
    if (match[1]) out.push(<Box component="code" key={key} sx={{ fontFamily: "monospace", fontSize: "0.9em", bgcolor: "action.hover", px: 0.5, borderRadius: 0.5 }}>{token.slice(1, -1)}</Box>);
    else if (match[2]) out.push(<strong key={key}>{renderInline(token.slice(2, -2), key)}</strong>);
    else if (match[3]) out.push(<em key={key}>{renderInline(token.slice(1, -1), key)}</em>);
    else {
      const [, label, href] = /^\[([^\]]+)\]\(([^)\s]+)\)$/.exec(token) ?? [];
      out.push(
        SAFE_URL.test(href) ? (
          <Link key={key} href={href} target="_blank" rel="noopener noreferrer">
            {label}
          </Link>
        ) : (
          label
        ),
      );
    }
    last = match.index + token.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

function renderBlocks(source: string): ReactNode[] {
  const lines = source.replace(/\r\n/g, "\n").split("\n");
  const blocks: ReactNode[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    const key = `b${i}`;
    if (!line.trim()) {
      i += 1;
      continue;
    }
    if (line.startsWith("```")) {
      const code: string[] = [];
      i += 1;
      while (i < lines.length && !lines[i].startsWith("```")) code.push(lines[i++]);
      i += 1;
      blocks.push(
        <Box key={key} component="pre" sx={{ fontFamily: "monospace", fontSize: 12.5, bgcolor: "action.hover", p: 1.5, borderRadius: 1, overflow: "auto" }}>
          {code.join("\n")}
        </Box>,
      );
      continue;
    }
    const heading = /^(#{1,4})\s+(.*)$/.exec(line);
    if (heading) {
      const level = heading[1].length;
      blocks.push(
        <Typography key={key} variant={(["h5", "h6", "subtitle1", "subtitle2"] as const)[level - 1]} component={`h${level + 1}` as "h2"} sx={{ mt: 2, mb: 1, fontWeight: 600 }}>
          {renderInline(heading[2], key)}
        </Typography>,
      );
      i += 1;
      continue;
    }
    const bullet = /^\s*([-*+]|\d+[.)])\s+/;
    if (bullet.test(line)) {
      const ordered = /^\s*\d/.test(line);
      const items: string[] = [];
      while (i < lines.length && bullet.test(lines[i])) items.push(lines[i++].replace(bullet, ""));
      const List = ordered ? "ol" : "ul";
      blocks.push(
        <Box key={key} component={List} sx={{ pl: 3, my: 1 }}>
          {items.map((item, n) => (
            <li key={n}>{renderInline(item, `${key}-${n}`)}</li>
          ))}
        </Box>,
      );
      continue;
    }
    if (line.startsWith(">")) {
      const quote: string[] = [];
      while (i < lines.length && lines[i].startsWith(">")) quote.push(lines[i++].replace(/^>\s?/, ""));
      blocks.push(
        <Box key={key} component="blockquote" sx={{ borderLeft: 3, borderColor: "divider", pl: 1.5, ml: 0, color: "text.secondary" }}>
          {renderInline(quote.join(" "), key)}
        </Box>,
      );
      continue;
    }
    const paragraph: string[] = [];
    while (i < lines.length && lines[i].trim() && !/^(#{1,4}\s|```|>)/.test(lines[i]) && !bullet.test(lines[i])) paragraph.push(lines[i++]);
    blocks.push(
      <Typography key={key} variant="body2" component="p" sx={{ my: 1 }}>
        {paragraph.map((p, n) => (
          <Fragment key={n}>
            {n > 0 && " "}
            {renderInline(p, `${key}-${n}`)}
          </Fragment>
        ))}
      </Typography>,
    );
  }
  return blocks;
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
          helperText={error ?? helperText ?? "Markdown: # headings, **bold**, *italic*, `code`, lists, [links](https://…)"}
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
