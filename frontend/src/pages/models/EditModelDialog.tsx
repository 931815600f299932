import { useEffect, useRef, useState } from "react";
import { Alert, AlertTitle, Box, Button, Typography } from "@mui/material";
import { useQueryClient } from "@tanstack/react-query";
import { describeError, isApiError } from "../../api/errors";
import { keys } from "../../api/hooks";
import { registryApi, type Model } from "../../api/registry";
import { FormDialog } from "../../components/FormDialog";
import { JsonDiff } from "../../components/JsonDiff";
import { ModelFields } from "./ModelFields";
import { fromModel, serverFieldErrors, toUpdateBody, validateModel, type ModelErrors, type ModelForm } from "./modelValidation";

const COMPARED = ["name", "description", "department", "geography", "owner", "framework", "task_type", "tags", "input_schema", "output_schema", "documentation"] as const;

function pick(model: Model): Record<string, unknown> {
  return Object.fromEntries(COMPARED.map((k) => [k, model[k] ?? null]));
}

/**
 * Edit a model with optimistic concurrency: the PATCH carries the revision the form was loaded
 * from; if someone saved in between, the server answers 409 and the dialog shows what they
 * changed, then reloads the form with the current values (your edits are kept where they differ).
 */
export function EditModelDialog({ model, onClose, onSaved }: { model: Model; onClose: () => void; onSaved: (m: Model) => void }) {
  const client = useQueryClient();
  const [base, setBase] = useState(model);
  const [form, setForm] = useState<ModelForm>(() => fromModel(model));
  const [errors, setErrors] = useState<ModelErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [stale, setStale] = useState<{ current: Model | null } | null>(null);
  const [busy, setBusy] = useState(false);
  const staleAlert = useRef<HTMLDivElement>(null);
  // the Save button is at the bottom of a long form: bring the explanation into view
  useEffect(() => {
    if (stale) staleAlert.current?.scrollIntoView?.({ block: "start" });
  }, [stale]);

  const change = (field: keyof ModelForm, value: ModelForm[keyof ModelForm]) => {
    setForm((f) => ({ ...f, [field]: value }));
    setErrors((e) => ({ ...e, [field]: undefined }));
  };

  const save = async () => {
    setFailure(null);
    const found = validateModel(form);
    setErrors(found);
    if (Object.keys(found).length) return;
    setBusy(true);
    try {
      const saved = await registryApi.updateModel(base.id, toUpdateBody(form, base));
      client.setQueryData([...keys.models, "detail", saved.id], saved);
      void client.invalidateQueries({ queryKey: keys.models });
      onSaved(saved);
    } catch (error) {
      if (isApiError(error) && error.status === 409 && error.code === "stale_version") {
        const current = await registryApi.model(base.id).catch(() => null);
        setStale({ current });
      } else {
        const { known, other } = serverFieldErrors(isApiError(error) ? error.fieldErrors() : {});
        setErrors(known);
        if (!Object.keys(known).length || other.length) setFailure(other.length ? other.join("; ") : describeError(error).message);
      }
    } finally {
      setBusy(false);
    }
  };

  /** Take the current revision; fields you changed keep your value, the others take theirs. */
  const reload = () => {
    if (!stale?.current) return window.location.reload();
    const mine = form;
    const original = fromModel(base);
    const theirs = fromModel(stale.current);
    const merged = Object.fromEntries(
      (Object.keys(theirs) as (keyof ModelForm)[]).map((k) => [k, JSON.stringify(mine[k]) !== JSON.stringify(original[k]) ? mine[k] : theirs[k]]),
    ) as unknown as ModelForm;
    setBase(stale.current);
    setForm(merged);
    client.setQueryData([...keys.models, "detail", stale.current.id], stale.current);
    setStale(null);
  };

  return (
    <FormDialog
      open
      title={`Edit ${model.name}`}
      submitLabel="Save changes"
      busyLabel="Saving…"
      busy={busy}
      submitDisabled={!!stale}
      failure={failure}
      onSubmit={save}
      onClose={onClose}
      maxWidth="md"
    >
      {stale && (
        <Alert
          ref={staleAlert}
          severity="warning"
          sx={{ mb: 2 }}
          data-testid="stale-edit"
          action={
            <Button color="inherit" size="small" onClick={reload}>
              Reload
            </Button>
          }
        >
          <AlertTitle>Someone else saved this model while you were editing</AlertTitle>
          Your changes are not saved. Reload to take their version: the fields you changed keep your values, then save
          again.
          {stale.current && (
            <Box sx={{ mt: 1.5, bgcolor: "background.paper", borderRadius: 1, maxHeight: 260, overflow: "auto" }}>
              <Typography variant="caption" color="text.secondary" sx={{ px: 1 }}>
                What changed since you opened the form (revision {base.version} → {stale.current.version}
                {stale.current.updated_at ? `, ${new Date(stale.current.updated_at).toLocaleString()}` : ""}):
              </Typography>
              <JsonDiff before={pick(base)} after={pick(stale.current)} onlyChanges />
            </Box>
          )}
        </Alert>
      )}
      <ModelFields form={form} errors={errors} onChange={change} touchedName />
    </FormDialog>
  );
}
