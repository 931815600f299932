import { useState } from "react";
import { Box, Button, Stack, TextField, Typography } from "@mui/material";
import { jsonProblem, parseJson, type SchemaProblem } from "./jsonSchema";

/**
 * A JSON text area that says, as you type, whether the text parses and whether `check` accepts
 * the value. It reports the parsed value (undefined when empty) and whether it is valid.
 */
export function JsonEditor({
  label,
  value,
  onChange,
  check,
  serverError,
  helperText,
  minRows = 6,
  placeholder,
  example,
  name,
}: {
  label: string;
  value: string;
  onChange: (text: string) => void;
  check?: (value: unknown) => SchemaProblem[];
  /** the server's message for this field (422) */
  serverError?: string;
  helperText?: string;
  minRows?: number;
  placeholder?: string;
  /** offered as a starting point when the editor is empty */
  example?: unknown;
  name?: string;
}) {
  const problem = jsonProblem(value, check);
  const [formatted, setFormatted] = useState(false);
  const error = serverError ?? problem ?? undefined;
  return (
    <Box>
      <TextField
        label={label}
        name={name}
        value={value}
        onChange={(e) => {
          setFormatted(false);
          onChange(e.target.value);
        }}
        multiline
        minRows={minRows}
        maxRows={24}
        fullWidth
        placeholder={placeholder}
        error={!!error}
        helperText={error ?? helperText ?? (value.trim() ? "Valid JSON" : "Optional")}
        slotProps={{
          htmlInput: { spellCheck: false, "aria-label": label, style: { fontFamily: "ui-monospace, SFMono-Regular, Menlo, monospace", fontSize: 13 } },
          formHelperText: { sx: { color: !error && value.trim() ? "success.main" : undefined } } as object,
        }}
      />
      <Stack direction="row" spacing={1} sx={{ mt: 0.5 }}>
        {example !== undefined && !value.trim() && (
          <Button size="small" onClick={() => onChange(JSON.stringify(example, null, 2))}>
            Start from an example
          </Button>
        )}
        {value.trim() && !problem && !formatted && (
          <Button
            size="small"
            onClick={() => {
              const parsed = parseJson(value);
              if (parsed.value !== undefined) onChange(JSON.stringify(parsed.value, null, 2));
              setFormatted(true);
            }}
          >
            Format
          </Button>
        )}
      </Stack>
    </Box>
  );
}

export function JsonBlock({ value }: { value: unknown }) {
  return (
    <Typography component="pre" sx={{ m: 0, fontFamily: "monospace", fontSize: 12, whiteSpace: "pre-wrap", wordBreak: "break-word" }}>
      {JSON.stringify(value, null, 2)}
    </Typography>
  );
}
