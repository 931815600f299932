import { useMemo, useState } from "react";
import {
  Alert,
  Autocomplete,
  Box,
  Button,
  Card,
  CardActionArea,
  CardContent,
  FormControlLabel,
  Grid,
  MenuItem,
  Radio,
  RadioGroup,
  Skeleton,
  Stack,
  TextField,
  Typography,
} from "@mui/material";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link as RouterLink, useNavigate, useParams, useSearchParams } from "react-router";
import { describeError, isApiError, isUnavailable } from "../../api/errors";
import { keys } from "../../api/hooks";
import { PIPELINE_KINDS, registryApi, type Deployment, type Kind, type ModelSummary } from "../../api/registry";
import { CronBuilder } from "../../components/CronBuilder";
import { browserTimezone } from "../../components/cron";
import { ErrorState } from "../../components/ErrorState";
import { humanize } from "../../components/format";
import type { JsonSchema } from "../../components/jsonSchema";
import { PageHeader } from "../../components/PageHeader";
import { ParamsForm } from "../../components/ParamsForm";
import { useDebounced } from "../../components/useDebounced";
import { fromDeployment, mapServerProblems, toCreate, toUpdate, validateDeployment, type DeploymentErrors, type DeploymentForm } from "./deploymentForm";

const KIND_TEXT: Record<string, string> = {
  batch_scoring: "Score a dataset with the model and store the predictions",
  training: "Train a new version on a dataset and register it",
  evaluation: "Measure the model's quality on a labelled dataset",
  monitoring: "Compare live inputs with the training data (drift)",
};

/** When the server has no kinds endpoint: every kind, availability unknown (the 422 tells). */
const FALLBACK_KINDS: Kind[] = PIPELINE_KINDS.map((kind) => ({ kind, available: true, needs_dataset: kind !== "training", params_schema: null }));

function Section({ title, hint, children }: { title: string; hint?: string; children: React.ReactNode }) {
  return (
    <Card>
      <CardContent sx={{ p: 3 }}>
        <Typography variant="subtitle1" fontWeight={600}>
          {title}
        </Typography>
        {hint && (
          <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
            {hint}
          </Typography>
        )}
        <Box sx={{ mt: hint ? 0 : 2 }}>{children}</Box>
      </CardContent>
    </Card>
  );
}

export function DeploymentFormPage() {
  const { deploymentId } = useParams();
  const existing = useQuery({
    queryKey: [...keys.deployments, "detail", deploymentId],
    queryFn: () => registryApi.deployment(deploymentId!),
    enabled: !!deploymentId,
  });
  if (deploymentId && existing.isLoading) return <Skeleton variant="rounded" height={480} />;
  if (deploymentId && (existing.error || !existing.data))
    return <ErrorState error={existing.error} onRetry={() => void existing.refetch()} />;
  return <DeploymentFormBody key={existing.data?.revision ?? "new"} original={existing.data} />;
}

function DeploymentFormBody({ original }: { original?: Deployment }) {
  const navigate = useNavigate();
  const client = useQueryClient();
  const [search] = useSearchParams();
  const [draft, setForm] = useState<DeploymentForm>(() =>
    original
      ? fromDeployment(original)
      : {
          name: "",
          description: "",
          model_id: search.get("model") ?? "",
          target: "alias",
          alias: "champion",
          version: "",
          kind: "",
          dataset_id: null,
          params: {},
          schedule: "",
          timezone: browserTimezone(),
        },
  );
  const [errors, setErrors] = useState<DeploymentErrors>({});
  const [paramErrors, setParamErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [stale, setStale] = useState(false);
  const [busy, setBusy] = useState(false);
  const [modelQuery, setModelQuery] = useState("");
  const q = useDebounced(modelQuery, 250);

  const kinds = useQuery({ queryKey: ["deployment-kinds"], queryFn: registryApi.kinds, staleTime: 5 * 60_000, retry: false });
  const kindList = kinds.data ?? (isUnavailable(kinds.error) ? FALLBACK_KINDS : []);
  // the first available kind is preselected for a new deployment
  const form: DeploymentForm = { ...draft, kind: draft.kind || (original ? "" : (kinds.data?.find((k) => k.available)?.kind ?? "")) };
  const kind = kindList.find((k) => k.kind === form.kind);
  const models = useQuery({ queryKey: [...keys.models, "picker", q], queryFn: () => registryApi.models({ q: q || undefined, limit: 20 }) });
  const model = useQuery({
    queryKey: [...keys.models, "detail", form.model_id],
    queryFn: () => registryApi.model(form.model_id),
    enabled: !!form.model_id,
    retry: false,
  });
  const datasets = useQuery({ queryKey: ["datasets", "picker"], queryFn: () => registryApi.datasets({ limit: 100 }), retry: false });


  const set = <K extends keyof DeploymentForm>(field: K, value: DeploymentForm[K]) => {
    setForm((f) => ({ ...f, [field]: value }));
    setErrors((e) => ({ ...e, [field]: undefined, form: undefined }));
    if (field === "params" || field === "kind") setParamErrors({});
  };

  const aliasOptions = useMemo(() => ["latest", ...Object.keys(model.data?.aliases ?? {})].filter((v, i, a) => a.indexOf(v) === i), [model.data]);
  const versions = model.data?.latest_version ? Array.from({ length: model.data.latest_version }, (_v, i) => model.data!.latest_version! - i) : [];
  const modelOptions: ModelSummary[] = models.data?.items ?? [];
  const selectedModel = modelOptions.find((m) => m.id === form.model_id) ?? (model.data as ModelSummary | undefined) ?? null;

  const submit = async () => {
    setFailure(null);
    const found = validateDeployment(form, kind);
    setErrors(found);
    if (Object.keys(found).length) return;
    setBusy(true);
    try {
      const saved = original
        ? await registryApi.updateDeployment(original.id, toUpdate(form, original))
        : await registryApi.createDeployment(toCreate(form));
      void client.invalidateQueries({ queryKey: keys.deployments });
      navigate(`/deployments/${encodeURIComponent(saved.id)}`, {
        state: { toast: original ? "Deployment saved" : "Deployment created, paused: resume it to run on schedule" },
      });
    } catch (error) {
      if (isApiError(error) && error.status === 409 && error.code === "stale_version") {
        setStale(true);
      } else {
        const { fields, params } = mapServerProblems(isApiError(error) ? error.fieldProblems : []);
        setErrors(fields);
        setParamErrors(params);
        if (!Object.keys(fields).length || fields.form) setFailure(fields.form ?? describeError(error).message);
      }
    } finally {
      setBusy(false);
    }
  };

  const title = original ? `Edit ${original.name}` : "New deployment";
  return (
    <>
      <PageHeader
        crumbs={[
          { label: "Deployments", to: "/deployments" },
          ...(original ? [{ label: original.name, to: `/deployments/${original.id}` }] : []),
          { label: original ? "Edit" : "New" },
        ]}
        title={title}
        subtitle="Bind a model version or alias to a pipeline, with a dataset, parameters and an optional schedule."
      />
      <Stack component="form" noValidate spacing={2.5} onSubmit={(e) => (e.preventDefault(), void submit())} aria-label="deployment" sx={{ maxWidth: 980 }}>
        {stale && (
          <Alert
            severity="warning"
            action={
              <Button color="inherit" size="small" onClick={() => void client.invalidateQueries({ queryKey: [...keys.deployments, "detail", original?.id] })}>
                Reload
              </Button>
            }
          >
            Someone else saved this deployment while you were editing. Reload to see their version, then apply your changes again.
          </Alert>
        )}
        {failure && (
          <Alert severity="error" role="alert">
            {failure}
          </Alert>
        )}
        <Section title="What runs">
          <Grid container spacing={2}>
            <Grid size={{ xs: 12, md: 6 }}>
              <TextField
                fullWidth
                required
                name="name"
                label="Name"
                value={form.name}
                onChange={(e) => set("name", e.target.value)}
                error={!!errors.name}
                helperText={errors.name ?? "Unique, e.g. churn-weekly-scoring"}
                slotProps={{ htmlInput: { "aria-label": "Name" } }}
              />
            </Grid>
            <Grid size={{ xs: 12, md: 6 }}>
              <Autocomplete
                options={modelOptions}
                value={selectedModel}
                getOptionLabel={(m) => m.name}
                isOptionEqualToValue={(a, b) => a.id === b.id}
                filterOptions={(x) => x}
                onInputChange={(_e, v, reason) => reason === "input" && setModelQuery(v)}
                onChange={(_e, m) => {
                  set("model_id", m?.id ?? "");
                  set("version", "");
                }}
                loading={models.isFetching}
                renderOption={(props, m) => (
                  <li {...props} key={m.id}>
                    <Box>
                      <Typography variant="body2">{m.name}</Typography>
                      <Typography variant="caption" color="text.secondary">
                        {[m.department, m.geography, humanize(m.framework), m.latest_version ? `v${m.latest_version}` : "no version"].filter(Boolean).join(" · ")}
                      </Typography>
                    </Box>
                  </li>
                )}
                renderInput={(p) => <TextField {...p} required label="Model" name="model_id" error={!!errors.model_id} helperText={errors.model_id ?? "Search by name"} />}
              />
            </Grid>
            <Grid size={12}>
              <TextField fullWidth label="Description" value={form.description} onChange={(e) => set("description", e.target.value)} multiline minRows={1} />
            </Grid>
            <Grid size={{ xs: 12, md: 4 }}>
              <RadioGroup row value={form.target} onChange={(e) => set("target", e.target.value as "alias" | "version")}>
                <FormControlLabel value="alias" control={<Radio />} label="Alias" />
                <FormControlLabel value="version" control={<Radio />} label="Fixed version" />
              </RadioGroup>
              <Typography variant="caption" color="text.secondary">
                {form.target === "alias" ? "Resolved at each run: moving the alias changes what runs" : "Always this version"}
              </Typography>
            </Grid>
            <Grid size={{ xs: 12, md: 8 }}>
              {form.target === "alias" ? (
                <Autocomplete
                  freeSolo
                  options={aliasOptions}
                  value={form.alias}
                  onInputChange={(_e, v) => set("alias", v.trim())}
                  renderOption={(props, a) => (
                    <li {...props} key={a}>
                      {a}
                      {a !== "latest" && model.data?.aliases?.[a] ? ` → v${model.data.aliases[a]}` : a === "latest" && model.data?.latest_version ? ` → v${model.data.latest_version}` : ""}
                    </li>
                  )}
                  renderInput={(p) => (
                    <TextField
                      {...p}
                      label="Alias"
                      name="alias"
                      error={!!errors.alias}
                      helperText={
                        errors.alias ??
                        (form.alias && model.data
                          ? form.alias === "latest"
                            ? `Now v${model.data.latest_version ?? "—"}`
                            : model.data.aliases?.[form.alias]
                              ? `Now v${model.data.aliases[form.alias]}`
                              : "Not set on this model yet: runs fail until it is"
                          : " ")
                      }
                    />
                  )}
                />
              ) : (
                <TextField
                  select
                  fullWidth
                  label="Version"
                  name="version"
                  value={form.version}
                  onChange={(e) => set("version", Number(e.target.value))}
                  error={!!errors.version}
                  helperText={errors.version ?? (form.model_id && !versions.length ? "This model has no version yet" : " ")}
                >
                  {versions.map((v) => (
                    <MenuItem key={v} value={v}>
                      v{v}
                    </MenuItem>
                  ))}
                </TextField>
              )}
            </Grid>
          </Grid>
        </Section>

        <Section title="Pipeline" hint="What the deployment does with the model.">
          {kinds.isLoading ? (
            <Skeleton variant="rounded" height={90} />
          ) : kinds.isError && !isUnavailable(kinds.error) ? (
            <ErrorState compact error={kinds.error} onRetry={() => void kinds.refetch()} />
          ) : (
            <Grid container spacing={1.5} role="radiogroup" aria-label="pipeline">
              {kindList.map((k) => {
                const selected = form.kind === k.kind;
                return (
                  <Grid key={k.kind} size={{ xs: 12, sm: 6, md: 3 }}>
                    <Card
                      variant="outlined"
                      sx={{ height: "100%", borderColor: selected ? "primary.main" : undefined, borderWidth: selected ? 2 : 1, opacity: k.available ? 1 : 0.55 }}
                    >
                      <CardActionArea
                        disabled={!k.available}
                        role="radio"
                        aria-checked={selected}
                        aria-label={humanize(k.kind)}
                        onClick={() => {
                          set("kind", k.kind);
                          set("params", {});
                        }}
                        sx={{ height: "100%", p: 1.5 }}
                      >
                        <Typography fontWeight={600}>{humanize(k.kind)}</Typography>
                        <Typography variant="caption" color="text.secondary" component="div">
                          {k.available ? KIND_TEXT[k.kind] : "Not available on this server yet"}
                        </Typography>
                      </CardActionArea>
                    </Card>
                  </Grid>
                );
              })}
            </Grid>
          )}
          {errors.kind && (
            <Typography variant="caption" color="error">
              {errors.kind}
            </Typography>
          )}
        </Section>

        {form.kind && (
          <Section title="Data and parameters">
            <Stack spacing={2.5}>
              <Autocomplete
                options={datasets.data?.items ?? []}
                getOptionLabel={(d) => `${d.name} — ${d.format}, ${d.row_count} rows`}
                value={datasets.data?.items.find((d) => d.id === form.dataset_id) ?? null}
                onChange={(_e, d) => set("dataset_id", d?.id ?? null)}
                loading={datasets.isLoading}
                renderInput={(p) => (
                  <TextField
                    {...p}
                    label={kind?.needs_dataset ? "Dataset" : "Dataset (optional)"}
                    name="dataset_id"
                    required={kind?.needs_dataset}
                    error={!!errors.dataset_id}
                    helperText={
                      errors.dataset_id ??
                      (datasets.data && datasets.data.items.length === 0 ? "No dataset uploaded yet: upload one through the API (POST /api/datasets)" : "The input the pipeline reads")
                    }
                  />
                )}
              />
              <ParamsForm
                key={form.kind}
                schema={kind?.params_schema as JsonSchema | null | undefined}
                value={form.params}
                onChange={(p) => set("params", p)}
                serverErrors={paramErrors}
              />
              {errors.params && !Object.keys(paramErrors).length && (
                <Typography variant="caption" color="error">
                  {errors.params}
                </Typography>
              )}
            </Stack>
          </Section>
        )}

        <Section title="Schedule" hint="Runs on this schedule once resumed; new deployments start paused, so nothing runs by surprise.">
          <CronBuilder
            value={{ schedule: form.schedule, timezone: form.timezone }}
            onChange={(v) => {
              set("schedule", v.schedule);
              set("timezone", v.timezone);
            }}
            serverError={errors.schedule ?? errors.timezone}
          />
        </Section>

        <Stack direction="row" spacing={1} justifyContent="flex-end">
          <Button component={RouterLink} to={original ? `/deployments/${original.id}` : "/deployments"}>
            Cancel
          </Button>
          <Button type="submit" variant="contained" disabled={busy || stale}>
            {busy ? "Saving…" : original ? "Save changes" : "Create deployment"}
          </Button>
        </Stack>
      </Stack>
    </>
  );
}
