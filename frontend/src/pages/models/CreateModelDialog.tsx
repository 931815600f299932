import { useState, type FormEvent } from "react";
import { Alert, Button, Dialog, DialogActions, DialogContent, DialogTitle, Grid, MenuItem, TextField } from "@mui/material";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { describeError, isApiError } from "../../api/errors";
import { keys } from "../../api/hooks";
import { FRAMEWORKS, registryApi, TASK_TYPES, type Model } from "../../api/registry";
import { humanize } from "../../components/format";
import { EMPTY_MODEL as EMPTY, splitTags, validateModel, type ModelForm as Form } from "./modelValidation";

export function CreateModelDialog({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (m: Model) => void }) {
  const [form, setForm] = useState<Form>(EMPTY);
  const [errors, setErrors] = useState<Partial<Record<keyof Form, string>>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const client = useQueryClient();
  const create = useMutation({
    mutationFn: registryApi.createModel,
    onSuccess: () => client.invalidateQueries({ queryKey: keys.models }),
  });

  const close = () => {
    setForm(EMPTY);
    setErrors({});
    setFailure(null);
    onClose();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(null);
    const found = validateModel(form);
    setErrors(found);
    if (Object.keys(found).length) return;
    const optional = (v: string) => v.trim() || undefined;
    try {
      const model = await create.mutateAsync({
        name: form.name.trim(),
        description: optional(form.description),
        department: optional(form.department),
        geography: optional(form.geography),
        framework: form.framework,
        task_type: form.task_type,
        tags: splitTags(form.tags),
      });
      close();
      onCreated(model);
    } catch (error) {
      const fields = isApiError(error) ? error.fieldErrors() : {};
      const known = Object.fromEntries(Object.entries(fields).filter(([k]) => k in EMPTY));
      setErrors(known);
      if (!Object.keys(known).length) setFailure(describeError(error).message);
    }
  };

  const text = (name: keyof Form, label: string, extra: object = {}) => (
    <TextField
      name={name}
      label={label}
      fullWidth
      value={form[name]}
      error={!!errors[name]}
      helperText={errors[name]}
      onChange={(e) => {
        setForm((f) => ({ ...f, [name]: e.target.value }));
        setErrors((er) => ({ ...er, [name]: undefined }));
      }}
      {...extra}
    />
  );

  return (
    <Dialog open={open} onClose={close} maxWidth="sm" fullWidth>
      <form onSubmit={submit} noValidate>
        <DialogTitle>Register a model</DialogTitle>
        <DialogContent dividers>
          {failure && (
            <Alert severity="error" sx={{ mb: 2 }}>
              {failure}
            </Alert>
          )}
          <Grid container spacing={2} sx={{ pt: 0.5 }}>
            <Grid size={12}>{text("name", "Name", { autoFocus: true, required: true })}</Grid>
            <Grid size={12}>{text("description", "Description", { multiline: true, minRows: 2 })}</Grid>
            <Grid size={{ xs: 12, sm: 6 }}>{text("department", "Department", { placeholder: "marketing" })}</Grid>
            <Grid size={{ xs: 12, sm: 6 }}>{text("geography", "Geography", { placeholder: "emea" })}</Grid>
            <Grid size={{ xs: 12, sm: 6 }}>
              {text("framework", "Framework", {
                select: true,
                children: FRAMEWORKS.map((f) => (
                  <MenuItem key={f} value={f}>
                    {humanize(f)}
                  </MenuItem>
                )),
              })}
            </Grid>
            <Grid size={{ xs: 12, sm: 6 }}>
              {text("task_type", "Task", {
                select: true,
                children: TASK_TYPES.map((t) => (
                  <MenuItem key={t} value={t}>
                    {humanize(t)}
                  </MenuItem>
                )),
              })}
            </Grid>
            <Grid size={12}>{text("tags", "Tags", { placeholder: "churn, weekly", helperText: errors.tags ?? "Comma-separated" })}</Grid>
          </Grid>
        </DialogContent>
        <DialogActions sx={{ px: 3, py: 2 }}>
          <Button onClick={close}>Cancel</Button>
          <Button type="submit" variant="contained" disabled={create.isPending}>
            {create.isPending ? "Registering…" : "Register model"}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
