import { Autocomplete, Box, Chip, Grid, MenuItem, TextField, Typography } from "@mui/material";
import { FRAMEWORKS, TASK_TYPES } from "../../api/registry";
import { humanize } from "../../components/format";
import { JsonEditor } from "../../components/JsonEditor";
import { MarkdownEditor } from "../../components/Markdown";
import { checkJsonSchema, nameProblem, NAME_RULE, tagProblem, type ModelErrors, type ModelForm } from "./modelValidation";

const INPUT_EXAMPLE = {
  type: "object",
  properties: { tenure: { type: "integer", minimum: 0 }, plan: { type: "string", enum: ["basic", "pro"] }, monthly_spend: { type: "number" } },
  required: ["tenure", "plan"],
};
const OUTPUT_EXAMPLE = { type: "object", properties: { prediction: { type: "integer" }, probability: { type: "number" } } };

function Section({ title, hint }: { title: string; hint?: string }) {
  return (
    <Grid size={12} sx={{ mt: 1 }}>
      <Typography variant="subtitle1" fontWeight={600}>
        {title}
      </Typography>
      {hint && (
        <Typography variant="body2" color="text.secondary">
          {hint}
        </Typography>
      )}
    </Grid>
  );
}

/**
 * Every field of a model, shared by the register page and the edit dialog. The name rule is
 * checked as it is typed; other fields are checked on submit, and the server's answer lands on
 * the field it names.
 */
export function ModelFields({
  form,
  errors,
  onChange,
  touchedName,
}: {
  form: ModelForm;
  errors: ModelErrors;
  onChange: (field: keyof ModelForm, value: ModelForm[keyof ModelForm]) => void;
  /** the name was typed into: show its rule live */
  touchedName: boolean;
}) {
  const liveName = touchedName ? nameProblem(form.name) : null;
  const nameError = errors.name ?? liveName ?? undefined;
  const text = (name: "description" | "department" | "geography" | "owner", label: string, extra: object = {}) => (
    <TextField
      name={name}
      label={label}
      fullWidth
      value={form[name]}
      error={!!errors[name]}
      helperText={errors[name] ?? (extra as { help?: string }).help}
      onChange={(e) => onChange(name, e.target.value)}
      slotProps={{ htmlInput: { "aria-label": label } }}
      {...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== "help"))}
    />
  );
  return (
    <Grid container spacing={2}>
      <Section title="Identity" />
      <Grid size={{ xs: 12, md: 6 }}>
        <TextField
          name="name"
          label="Name"
          required
          fullWidth
          autoFocus
          value={form.name}
          onChange={(e) => onChange("name", e.target.value)}
          error={!!nameError}
          helperText={
            nameError ?? (
              <Box component="span" sx={{ color: form.name.trim() ? "success.main" : undefined }}>
                {form.name.trim() ? `✓ ${NAME_RULE}` : NAME_RULE}
              </Box>
            )
          }
          slotProps={{ htmlInput: { "aria-label": "Name", maxLength: 120 } }}
        />
      </Grid>
      <Grid size={{ xs: 12, md: 6 }}>{text("owner", "Owner", { help: "A username; empty: you", placeholder: "you" })}</Grid>
      <Grid size={12}>{text("description", "Description", { multiline: true, minRows: 2, help: "One or two sentences shown in the catalog" })}</Grid>
      <Section title="Where it belongs" />
      <Grid size={{ xs: 12, sm: 6 }}>{text("department", "Department", { placeholder: "marketing" })}</Grid>
      <Grid size={{ xs: 12, sm: 6 }}>{text("geography", "Geography", { placeholder: "emea" })}</Grid>
      <Grid size={{ xs: 12, sm: 6 }}>
        <TextField
          select
          fullWidth
          name="framework"
          label="Framework"
          value={form.framework}
          onChange={(e) => onChange("framework", e.target.value)}
          error={!!errors.framework}
          helperText={errors.framework}
        >
          {FRAMEWORKS.map((f) => (
            <MenuItem key={f} value={f}>
              {humanize(f)}
            </MenuItem>
          ))}
        </TextField>
      </Grid>
      <Grid size={{ xs: 12, sm: 6 }}>
        <TextField
          select
          fullWidth
          name="task_type"
          label="Task type"
          value={form.task_type}
          onChange={(e) => onChange("task_type", e.target.value)}
          error={!!errors.task_type}
          helperText={errors.task_type}
        >
          {TASK_TYPES.map((t) => (
            <MenuItem key={t} value={t}>
              {humanize(t)}
            </MenuItem>
          ))}
        </TextField>
      </Grid>
      <Grid size={12}>
        <Autocomplete
          multiple
          freeSolo
          options={[]}
          value={form.tags}
          onChange={(_e, next) => onChange("tags", [...new Set(next.map((t) => t.trim().toLowerCase()).filter(Boolean))])}
          renderValue={(selected, getItemProps) =>
            selected.map((option, index) => {
              const { key, ...props } = getItemProps({ index });
              return <Chip key={key} size="small" label={option} color={tagProblem(option) ? "error" : "default"} {...props} />;
            })
          }
          renderInput={(params) => (
            <TextField
              {...params}
              name="tags"
              label="Tags"
              placeholder={form.tags.length ? "" : "churn, weekly …"}
              error={!!errors.tags}
              helperText={errors.tags ?? "Type a tag and press Enter (lower case; up to 30)"}
            />
          )}
        />
      </Grid>
      <Section title="Inputs and outputs" hint="JSON Schemas of one input record and one prediction: the serving API checks requests against them." />
      <Grid size={{ xs: 12, md: 6 }}>
        <JsonEditor
          name="input_schema"
          label="Input schema"
          value={form.input_schema}
          onChange={(v) => onChange("input_schema", v)}
          check={checkJsonSchema}
          serverError={errors.input_schema}
          example={INPUT_EXAMPLE}
          minRows={8}
        />
      </Grid>
      <Grid size={{ xs: 12, md: 6 }}>
        <JsonEditor
          name="output_schema"
          label="Output schema"
          value={form.output_schema}
          onChange={(v) => onChange("output_schema", v)}
          check={checkJsonSchema}
          serverError={errors.output_schema}
          example={OUTPUT_EXAMPLE}
          minRows={8}
        />
      </Grid>
      <Section title="Documentation" hint="How the model was built, how to use it, its limits." />
      <Grid size={12}>
        <MarkdownEditor label="Documentation" value={form.documentation} onChange={(v) => onChange("documentation", v)} error={errors.documentation} />
      </Grid>
    </Grid>
  );
}
