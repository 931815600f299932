import { useState } from "react";
import { Alert, Box, Button, Card, CardContent, Stack, Step, StepLabel, Stepper, Typography } from "@mui/material";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router";
import { describeError, isApiError } from "../../api/errors";
import { keys } from "../../api/hooks";
import { registryApi, type Model } from "../../api/registry";
import { PageHeader } from "../../components/PageHeader";
import { ModelFields } from "./ModelFields";
import { EMPTY_MODEL, serverFieldErrors, toCreateBody, validateModel, type ModelErrors, type ModelForm } from "./modelValidation";
import { VersionUpload } from "./VersionUpload";

/** Register a model (every field of the seed's form), then optionally upload its first version. */
export function RegisterModelPage() {
  const navigate = useNavigate();
  const client = useQueryClient();
  const [form, setForm] = useState<ModelForm>(EMPTY_MODEL);
  const [errors, setErrors] = useState<ModelErrors>({});
  const [touchedName, setTouchedName] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [model, setModel] = useState<Model | null>(null);
  const create = useMutation({
    mutationFn: registryApi.createModel,
    onSuccess: () => client.invalidateQueries({ queryKey: keys.models }),
  });
  const detail = (m: Model) => `/models/${encodeURIComponent(m.id)}`;

  const change = (field: keyof ModelForm, value: ModelForm[keyof ModelForm]) => {
    setForm((f) => ({ ...f, [field]: value }));
    if (field === "name") setTouchedName(true);
    setErrors((e) => ({ ...e, [field]: undefined }));
  };

  const submit = async () => {
    setFailure(null);
    setTouchedName(true);
    const found = validateModel(form);
    setErrors(found);
    if (Object.keys(found).length) {
      const first = Object.keys(found)[0];
      document.querySelector<HTMLElement>(`[name="${first}"]`)?.focus();
      return;
    }
    try {
      setModel(await create.mutateAsync(toCreateBody(form)));
    } catch (error) {
      const { known, other } = serverFieldErrors(isApiError(error) ? error.fieldErrors() : {});
      setErrors(known);
      if (!Object.keys(known).length || other.length) setFailure(other.length ? other.join("; ") : describeError(error).message);
    }
  };

  return (
    <>
      <PageHeader
        crumbs={[{ label: "Models", to: "/models" }, { label: "Register" }]}
        title="Register a model"
        subtitle="Describe the model once; its versions (immutable files with their metrics) come next."
      />
      <Stepper activeStep={model ? 1 : 0} sx={{ mb: 3, maxWidth: 560 }}>
        <Step>
          <StepLabel>Describe the model</StepLabel>
        </Step>
        <Step>
          <StepLabel optional={<Typography variant="caption">optional</Typography>}>Upload the first version</StepLabel>
        </Step>
      </Stepper>
      {!model ? (
        <Card component="form" noValidate onSubmit={(e) => (e.preventDefault(), void submit())} aria-label="register model">
          <CardContent sx={{ p: 3 }}>
            {failure && (
              <Alert severity="error" sx={{ mb: 2 }} role="alert">
                {failure}
              </Alert>
            )}
            <ModelFields form={form} errors={errors} onChange={change} touchedName={touchedName} />
            <Stack direction="row" spacing={1} justifyContent="flex-end" sx={{ mt: 3 }}>
              <Button onClick={() => navigate("/models")}>Cancel</Button>
              <Button type="submit" variant="contained" disabled={create.isPending}>
                {create.isPending ? "Registering…" : "Register model"}
              </Button>
            </Stack>
          </CardContent>
        </Card>
      ) : (
        <Card>
          <CardContent sx={{ p: 3 }}>
            <Alert severity="success" sx={{ mb: 2 }}>
              <strong>{model.name}</strong> is registered. Upload its first version now, or later from its page.
            </Alert>
            <Box>
              <VersionUpload
                modelId={model.id}
                onUploaded={(v) => navigate(detail(model), { state: { toast: `Version ${v.version} uploaded` } })}
                onClose={() => navigate(detail(model))}
                closeLabel="Skip for now"
              />
            </Box>
          </CardContent>
        </Card>
      )}
    </>
  );
}
