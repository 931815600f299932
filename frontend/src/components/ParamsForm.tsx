import { useState } from "react";
import { Autocomplete, Box, Chip, FormControlLabel, Grid, Stack, Switch, TextField, ToggleButton, ToggleButtonGroup, Typography } from "@mui/material";
import { JsonEditor } from "./JsonEditor";
import { parseJson, validateAgainst, type JsonSchema } from "./jsonSchema";
import { fieldSchema, paramProblems, typeName, type Params } from "./params";
import { humanize } from "./format";


/**
 * The parameters of a pipeline kind, as a form generated from its JSON Schema, or as JSON. Only
 * what the author sets is sent; an empty field means "the job's default" (shown as placeholder).
 */
export function ParamsForm({
  schema,
  value,
  onChange,
  serverErrors = {},
}: {
  schema: JsonSchema | null | undefined;
  value: Params;
  onChange: (value: Params) => void;
  /** parameter name → the server's message (422 `params.<name>`) */
  serverErrors?: Record<string, string>;
}) {
  const properties = schema?.properties ?? {};
  const names = Object.keys(properties);
  const [mode, setMode] = useState<"form" | "json">(names.length ? "form" : "json");
  const [text, setText] = useState(() => (Object.keys(value).length ? JSON.stringify(value, null, 2) : ""));
  const local = paramProblems(schema, value);

  const set = (name: string, next: unknown) => {
    const copy = { ...value };
    if (next === undefined) delete copy[name];
    else copy[name] = next;
    onChange(copy);
    setText(Object.keys(copy).length ? JSON.stringify(copy, null, 2) : "");
  };

  const switchMode = (next: "form" | "json" | null) => {
    if (!next) return;
    if (next === "json") setText(Object.keys(value).length ? JSON.stringify(value, null, 2) : "");
    setMode(next);
  };

  return (
    <Box data-testid="params-form">
      <Stack direction="row" alignItems="center" sx={{ mb: 1.5 }}>
        <Typography variant="body2" color="text.secondary" sx={{ flexGrow: 1 }}>
          {names.length
            ? "Leave a field empty to use the job's default."
            : schema
              ? "This pipeline takes no parameters."
              : "This server publishes no parameter schema for this pipeline: write the parameters as JSON; the server checks them when you save."}
        </Typography>
        {names.length > 0 && (
          <ToggleButtonGroup size="small" exclusive value={mode} onChange={(_e, v) => switchMode(v)}>
            <ToggleButton value="form">Form</ToggleButton>
            <ToggleButton value="json">JSON</ToggleButton>
          </ToggleButtonGroup>
        )}
      </Stack>
      {mode === "json" ? (
        <JsonEditor
          label="Parameters (JSON)"
          value={text}
          minRows={5}
          onChange={(next) => {
            setText(next);
            const parsed = parseJson(next);
            if (!parsed.error && (parsed.value === undefined || (parsed.value && typeof parsed.value === "object" && !Array.isArray(parsed.value))))
              onChange((parsed.value as Params | undefined) ?? {});
          }}
          check={(v) =>
            !v || typeof v !== "object" || Array.isArray(v)
              ? [{ path: "", message: "parameters are a JSON object, like {\"batch_size\": 1000}" }]
              : schema
                ? validateAgainst(schema, v)
                : []
          }
          serverError={Object.entries(serverErrors).map(([k, m]) => (k === "_" ? m : `${k}: ${m}`))[0]}
          example={Object.fromEntries(names.filter((n) => properties[n].default !== undefined).map((n) => [n, properties[n].default]))}
        />
      ) : (
        <Grid container spacing={2}>
          {names.map((name) => (
            <Grid key={name} size={{ xs: 12, sm: typeName(fieldSchema(properties[name]).schema) === "array" ? 12 : 6 }}>
              <ParamField
                name={name}
                schema={properties[name]}
                value={value[name]}
                error={serverErrors[name] ?? local[name]}
                onChange={(next) => set(name, next)}
              />
            </Grid>
          ))}
        </Grid>
      )}
    </Box>
  );
}

function ParamField({
  name,
  schema: raw,
  value,
  error,
  onChange,
}: {
  name: string;
  schema: JsonSchema;
  value: unknown;
  error?: string;
  onChange: (value: unknown) => void;
}) {
  const { schema, nullable } = fieldSchema(raw);
  const type = typeName(schema);
  const label = humanize(name);
  const fallback = raw.default !== undefined ? `default: ${JSON.stringify(raw.default)}` : undefined;
  const help = error ?? [raw.description, fallback, nullable ? "empty: default" : undefined].filter(Boolean).join(" · ");
  if (type === "boolean") {
    const checked = value === undefined ? raw.default === true : value === true;
    return (
      <Box>
        <FormControlLabel control={<Switch checked={checked} onChange={(e) => onChange(e.target.checked)} />} label={label} />
        <Typography variant="caption" color={error ? "error" : "text.secondary"} component="div" sx={{ ml: 6, mt: -0.5 }}>
          {help}
        </Typography>
      </Box>
    );
  }
  if (type === "array") {
    const items = Array.isArray(value) ? (value as unknown[]).map(String) : [];
    return (
      <Autocomplete
        multiple
        freeSolo
        options={[]}
        value={items}
        onChange={(_e, next) => onChange(next.length ? next : undefined)}
        renderValue={(selected, getItemProps) =>
          selected.map((option, index) => {
            const { key, ...props } = getItemProps({ index });
            return <Chip key={key} size="small" label={option} {...props} />;
          })
        }
        renderInput={(params) => (
          <TextField {...params} label={label} error={!!error} helperText={help || "Type a value and press Enter"} placeholder={items.length ? "" : "Type and press Enter"} />
        )}
      />
    );
  }
  if (type === "integer" || type === "number") {
    return (
      <TextField
        fullWidth
        type="number"
        label={label}
        value={value === undefined || value === null ? "" : String(value)}
        placeholder={raw.default !== undefined ? String(raw.default) : undefined}
        onChange={(e) => {
          const text = e.target.value;
          if (text === "") return onChange(undefined);
          const n = Number(text);
          onChange(Number.isNaN(n) ? text : n);
        }}
        error={!!error}
        helperText={help}
        slotProps={{ htmlInput: { min: schema.minimum, max: schema.maximum, step: type === "integer" ? 1 : "any" }, inputLabel: { shrink: true } }}
      />
    );
  }
  if (type === "string" || type === undefined) {
    return (
      <TextField
        fullWidth
        label={label}
        value={typeof value === "string" ? value : value === undefined || value === null ? "" : JSON.stringify(value)}
        placeholder={typeof raw.default === "string" ? raw.default : undefined}
        onChange={(e) => onChange(e.target.value === "" ? undefined : e.target.value)}
        error={!!error}
        helperText={help}
        slotProps={{ inputLabel: { shrink: true } }}
      />
    );
  }
  return (
    <Typography variant="body2" color="text.secondary">
      {label}: edit this parameter in the JSON view.
    </Typography>
  );
}
