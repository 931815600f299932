import { useMemo, useState } from "react";
import {
  Accordion,
  AccordionDetails,
  AccordionSummary,
  Alert,
  AlertTitle,
  Box,
  Button,
  Card,
  CardContent,
  CardHeader,
  FormControlLabel,
  Grid,
  LinearProgress,
  MenuItem,
  Stack,
  Switch,
  Tab,
  Tabs,
  TextField,
  ToggleButton,
  ToggleButtonGroup,
  Typography,
} from "@mui/material";
import ContentCopyIcon from "@mui/icons-material/ContentCopy";
import ExpandMoreIcon from "@mui/icons-material/ExpandMore";
import PlayArrowIcon from "@mui/icons-material/PlayArrow";
import ScienceOutlinedIcon from "@mui/icons-material/ScienceOutlined";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { describeError, isApiError } from "../../api/errors";
import { keys, predictionLogKey } from "../../api/hooks";
import { registryApi, type Model, type Prediction, type PredictBody } from "../../api/registry";
import { JsonEditor } from "../../components/JsonEditor";
import { parseJson, type JsonSchema } from "../../components/jsonSchema";
import {
  buildRecord,
  curlCommand,
  hasReference,
  pythonSnippet,
  randomValues,
  recordFields,
  recordProblems,
  referenceHint,
  targetQuery,
  typicalValues,
  type FormValues,
  type RecordField,
  type Target,
} from "./predictForm";

type Answer = { prediction: Prediction; ms: number };

const targetKey = (t: Target) => ("alias" in t ? `alias:${t.alias}` : `version:${t.version}`);
const fromKey = (key: string): Target => (key.startsWith("alias:") ? { alias: key.slice(6) } : { version: Number(key.slice(8)) });
const shown = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));

function defaultTarget(model: Model): Target | null {
  const aliases = model.aliases ?? {};
  if (aliases.champion) return { alias: "champion" };
  const first = Object.keys(aliases)[0];
  if (first) return { alias: first };
  return model.latest_version ? { version: model.latest_version } : null;
}

/**
 * "Try a prediction": one record typed in a form generated from the version's input schema (or
 * any body as JSON), sent to the same endpoint clients use, the answer with its probabilities,
 * and the same request as curl and Python. For those who may predict (business users, data
 * scientists, admins).
 */
export function PredictPanel({ model, versions }: { model: Model; versions: number[] }) {
  const client = useQueryClient();
  const [target, setTarget] = useState<Target | null>(() => defaultTarget(model));
  const number = target ? ("alias" in target ? (model.aliases?.[target.alias] ?? null) : target.version) : null;
  const version = useQuery({
    queryKey: [...keys.models, model.id, "version", number],
    queryFn: () => registryApi.version(model.id, number!),
    enabled: number !== null,
    staleTime: 60_000,
  });
  const schema = (version.data?.input_schema ?? model.input_schema ?? null) as JsonSchema | null;
  const output = (version.data?.output_schema ?? model.output_schema ?? null) as JsonSchema | null;
  const stats = version.data?.reference_stats;
  const fields = useMemo(() => recordFields(schema), [schema]);
  const classifier = model.task_type === "classification";

  const [mode, setMode] = useState<"form" | "json">("form");
  const [values, setValues] = useState<FormValues>({});
  const [text, setText] = useState("");
  const [probabilities, setProbabilities] = useState(classifier);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [pending, setPending] = useState(false);
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const formMode = mode === "form" && fields.length > 0;

  if (!target) {
    return (
      <Card data-testid="predict-panel">
        <CardHeader title="Try a prediction" titleTypographyProps={{ variant: "subtitle1" }} avatar={<ScienceOutlinedIcon color="action" />} sx={{ pb: 0 }} />
        <CardContent>
          <Typography variant="body2" color="text.secondary">
            Upload a version to try it here: predictions are answered by the version an alias points at, or by a version you pick.
          </Typography>
        </CardContent>
      </Card>
    );
  }

  const currentBody = (): unknown => {
    if (!formMode) return parseJson(text).value;
    return { records: [buildRecord(fields, values).record] };
  };

  const switchMode = (next: "form" | "json" | null) => {
    if (!next) return;
    if (next === "json" && !text.trim()) setText(JSON.stringify(currentBody(), null, 2));
    setMode(next);
  };

  const setValue = (name: string, value: string | boolean) => {
    setValues((v) => ({ ...v, [name]: value }));
    setErrors(({ [name]: _gone, ...rest }) => rest);
  };

  const fill = (next: FormValues) => {
    setValues((v) => ({ ...v, ...next }));
    setErrors({});
  };

  const predict = async () => {
    setFailure(null);
    let body: unknown;
    if (formMode) {
      const built = buildRecord(fields, values);
      setErrors(built.errors);
      if (Object.keys(built.errors).length) return;
      body = { records: [built.record] };
    } else {
      const parsed = parseJson(text);
      if (parsed.error || parsed.value === undefined) {
        setFailure(new Error(parsed.error ?? 'Write the request body, like {"records": [{"feature": 1.5}]}.'));
        return;
      }
      body = parsed.value;
    }
    setPending(true);
    const started = performance.now();
    try {
      const prediction = await registryApi.predict(model.id, body as PredictBody, {
        ...targetQuery(target),
        probabilities: classifier && probabilities ? true : undefined,
      });
      setAnswer({ prediction, ms: performance.now() - started });
      // the prediction log is written in the background, about a second later
      setTimeout(() => void client.invalidateQueries({ queryKey: predictionLogKey(model.id) }), 1500);
    } catch (error) {
      setAnswer(null);
      setFailure(error);
      if (formMode) {
        const named = Object.fromEntries(
          recordProblems(error)
            .filter((p) => p.name && fields.some((f) => f.name === p.name))
            .map((p) => [p.name!, p.message]),
        );
        setErrors(named);
      }
    } finally {
      setPending(false);
    }
  };

  const aliasOptions = Object.entries(model.aliases ?? {}).sort(([a], [b]) => (a === "champion" ? -1 : b === "champion" ? 1 : a.localeCompare(b)));
  const versionOptions = [...new Set([...versions, ...(model.latest_version ? [model.latest_version] : [])])].sort((a, b) => b - a);
  const showReference = formMode && hasReference(fields, stats);

  return (
    <Card data-testid="predict-panel">
      <CardHeader
        title="Try a prediction"
        titleTypographyProps={{ variant: "subtitle1" }}
        subheader="Sent to the same endpoint as any client, answered by a serving worker and written to the prediction log."
        subheaderTypographyProps={{ variant: "caption" }}
        avatar={<ScienceOutlinedIcon color="action" />}
        sx={{ pb: 0 }}
      />
      <CardContent>
        <Stack direction={{ xs: "column", sm: "row" }} spacing={2} alignItems={{ sm: "center" }} sx={{ mb: 2 }}>
          <TextField
            select
            size="small"
            label="Answered by"
            value={targetKey(target)}
            onChange={(e) => {
              setTarget(fromKey(e.target.value));
              setAnswer(null);
              setFailure(null);
            }}
            sx={{ minWidth: 200 }}
          >
            {aliasOptions.map(([alias, v]) => (
              <MenuItem key={alias} value={`alias:${alias}`}>
                {alias} → v{v}
              </MenuItem>
            ))}
            {versionOptions.map((v) => (
              <MenuItem key={v} value={`version:${v}`}>
                version {v}
              </MenuItem>
            ))}
          </TextField>
          {classifier && (
            <FormControlLabel control={<Switch checked={probabilities} onChange={(e) => setProbabilities(e.target.checked)} />} label="Probabilities" />
          )}
          <Box sx={{ flexGrow: 1 }} />
          {fields.length > 0 && (
            <ToggleButtonGroup size="small" exclusive value={mode} onChange={(_e, v) => switchMode(v)} aria-label="how to write the records">
              <ToggleButton value="form">One record</ToggleButton>
              <ToggleButton value="json">JSON</ToggleButton>
            </ToggleButtonGroup>
          )}
        </Stack>

        {formMode ? (
          <>
            {showReference && (
              <Stack direction="row" spacing={1} sx={{ mb: 1.5 }}>
                <Button size="small" variant="outlined" onClick={() => fill(typicalValues(fields, stats))}>
                  Typical values
                </Button>
                <Button size="small" variant="outlined" onClick={() => fill(randomValues(fields, stats))}>
                  Random example
                </Button>
                <Typography variant="caption" color="text.secondary" sx={{ alignSelf: "center" }}>
                  from the training data of v{number}
                </Typography>
              </Stack>
            )}
            <Grid container spacing={2} data-testid="predict-form">
              {fields.map((field) => (
                <Grid key={field.name} size={{ xs: 12, sm: 6, md: 4 }}>
                  <RecordInput field={field} value={values[field.name]} error={errors[field.name]} hint={referenceHint(field, stats)} onChange={(v) => setValue(field.name, v)} />
                </Grid>
              ))}
            </Grid>
          </>
        ) : (
          <JsonEditor
            label="Request body (JSON)"
            value={text}
            onChange={setText}
            minRows={6}
            helperText='{"records": [...]} with one object per record; MLflow bodies (dataframe_records, dataframe_split, instances) work too.'
            example={{ records: [{}] }}
          />
        )}
        {fields.length === 0 && (
          <Typography variant="caption" color="text.secondary" component="div" sx={{ mt: 0.5 }}>
            This {version.data?.input_schema ? "version" : "model"} describes no input fields, so there is no form: write the records as JSON.
          </Typography>
        )}

        <Stack direction="row" spacing={1.5} alignItems="center" sx={{ mt: 2 }}>
          <Button variant="contained" startIcon={<PlayArrowIcon />} onClick={() => void predict()} disabled={pending}>
            Predict
          </Button>
          {formMode && Object.keys(values).length > 0 && (
            <Button
              onClick={() => {
                setValues({});
                setErrors({});
                setAnswer(null);
              }}
            >
              Clear
            </Button>
          )}
        </Stack>
        {pending && (
          <Box sx={{ mt: 2 }}>
            <LinearProgress aria-label="predicting" />
            <Typography variant="caption" color="text.secondary">
              The first request to a version loads its file in a serving worker, which can take a few seconds; the next ones answer in milliseconds.
            </Typography>
          </Box>
        )}
        <Box aria-live="polite" sx={{ mt: 2 }}>
          {failure !== null && <Failure error={failure} />}
          {answer && <AnswerView answer={answer} output={output} />}
        </Box>
        <CodeSnippets modelId={model.id} target={target} probabilities={classifier && probabilities} body={currentBody()} />
      </CardContent>
    </Card>
  );
}

function RecordInput({
  field,
  value,
  error,
  hint,
  onChange,
}: {
  field: RecordField;
  value: string | boolean | undefined;
  error?: string;
  hint?: string;
  onChange: (value: string | boolean) => void;
}) {
  const help = error ?? ([field.description, hint].filter(Boolean).join(" · ") || undefined);
  const label = `${field.name}${field.required ? "" : " (optional)"}`;
  if (field.kind === "boolean") {
    return (
      <Box>
        <FormControlLabel control={<Switch checked={value === true} onChange={(e) => onChange(e.target.checked)} />} label={label} />
        <Typography variant="caption" color={error ? "error" : "text.secondary"} component="div">
          {help}
        </Typography>
      </Box>
    );
  }
  if (field.kind === "choice") {
    return (
      <TextField select fullWidth size="small" label={label} value={typeof value === "string" ? value : ""} error={!!error} helperText={help} onChange={(e) => onChange(e.target.value)}>
        {(field.options ?? []).map((option) => (
          <MenuItem key={JSON.stringify(option)} value={JSON.stringify(option)}>
            {shown(option)}
          </MenuItem>
        ))}
      </TextField>
    );
  }
  const numeric = field.kind === "number" || field.kind === "integer";
  return (
    <TextField
      fullWidth
      size="small"
      label={label}
      type={numeric ? "number" : "text"}
      value={typeof value === "string" ? value : ""}
      error={!!error}
      helperText={help}
      onChange={(e) => onChange(e.target.value)}
      slotProps={{ htmlInput: numeric ? { step: field.kind === "integer" ? 1 : "any", min: field.minimum, max: field.maximum } : undefined }}
    />
  );
}

function Failure({ error }: { error: unknown }) {
  if (!isApiError(error)) return <Alert severity="error">{error instanceof Error ? error.message : String(error)}</Alert>;
  const { title, message } = describeError(error);
  const advice: Record<number, string> = {
    409: "Pick a version or an alias that exists in “Answered by”.",
    413: "Send fewer records per request.",
    422: "Correct the fields named above, then predict again.",
    503: "This version's file cannot be loaded right now; other versions and models keep answering. Try another version, or ask its data scientist.",
  };
  return (
    <Alert severity={error.status === 422 ? "warning" : "error"} data-testid="predict-error">
      <AlertTitle>{error.status === 422 ? "The records do not fit the model" : title}</AlertTitle>
      {message}
      {advice[error.status] ? ` ${advice[error.status]}` : ""}
    </Alert>
  );
}

function AnswerView({ answer, output }: { answer: Answer; output: JsonSchema | null }) {
  const { prediction, ms } = answer;
  const records = prediction.predictions.length;
  const label = output?.title ?? "Prediction";
  const meta = (
    <Typography variant="caption" color="text.secondary" component="div">
      answered by {prediction.model_name} v{prediction.model_version} in {ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms (round trip from this page)
      {records > 1 ? ` · ${records} records` : ""}
    </Typography>
  );
  if (records === 1) {
    const probs = prediction.probabilities?.[0];
    const best = probs ? probs.indexOf(Math.max(...probs)) : -1;
    return (
      <Box data-testid="prediction-result">
        <Typography variant="overline" color="text.secondary" sx={{ textTransform: "none" }}>
          {label}
        </Typography>
        <Typography variant="h4" component="div" data-testid="prediction-value" sx={{ fontWeight: 600 }}>
          {shown(prediction.predictions[0])}
        </Typography>
        {output?.description && (
          <Typography variant="body2" color="text.secondary">
            {output.description}
          </Typography>
        )}
        {meta}
        {probs && prediction.classes && (
          <Stack spacing={0.75} sx={{ mt: 1.5, maxWidth: 420 }} data-testid="prediction-probabilities">
            {probs.map((p, i) => (
              <Stack key={i} direction="row" spacing={1.5} alignItems="center">
                <Typography variant="body2" sx={{ width: 72, fontWeight: i === best ? 600 : 400 }} noWrap>
                  {shown(prediction.classes![i])}
                </Typography>
                <LinearProgress
                  variant="determinate"
                  value={p * 100}
                  color={i === best ? "primary" : "inherit"}
                  sx={{ flexGrow: 1, height: 8, borderRadius: 4, color: i === best ? undefined : "text.disabled" }} aria-label={`probability of ${shown(prediction.classes![i])}`} />
                <Typography variant="body2" sx={{ width: 56, textAlign: "right" }}>
                  {(p * 100).toFixed(1)} %
                </Typography>
              </Stack>
            ))}
          </Stack>
        )}
      </Box>
    );
  }
  return (
    <Box data-testid="prediction-result">
      <Typography variant="overline" color="text.secondary" sx={{ textTransform: "none" }}>
        {label}, per record
      </Typography>
      {meta}
      <Box component="table" sx={{ mt: 1, borderCollapse: "collapse", fontSize: 14, "& td, & th": { py: 0.5, pr: 3, textAlign: "left", borderBottom: 1, borderColor: "divider" } }}>
        <thead>
          <tr>
            <th>record</th>
            <th>{label}</th>
            {prediction.probabilities && <th>probability</th>}
          </tr>
        </thead>
        <tbody>
          {prediction.predictions.slice(0, 50).map((p, i) => (
            <tr key={i}>
              <td>{i}</td>
              <td>{shown(p)}</td>
              {prediction.probabilities && <td>{(Math.max(...prediction.probabilities[i]) * 100).toFixed(1)} %</td>}
            </tr>
          ))}
        </tbody>
      </Box>
      {records > 50 && (
        <Typography variant="caption" color="text.secondary">
          The first 50 of {records} shown.
        </Typography>
      )}
    </Box>
  );
}

function CodeSnippets({ modelId, target, probabilities, body }: { modelId: string; target: Target; probabilities: boolean; body: unknown }) {
  const [tab, setTab] = useState<"curl" | "python">("curl");
  const [copied, setCopied] = useState(false);
  const origin = window.location.origin;
  const example = body ?? { records: [{}] };
  const code = tab === "curl" ? curlCommand(origin, modelId, target, probabilities, example) : pythonSnippet(origin, modelId, target, probabilities, example);
  return (
    <Accordion disableGutters elevation={0} sx={{ mt: 2, border: 1, borderColor: "divider", "&:before": { display: "none" } }}>
      <AccordionSummary expandIcon={<ExpandMoreIcon />}>
        <Typography variant="body2">Call it from code</Typography>
      </AccordionSummary>
      <AccordionDetails>
        <Stack direction="row" alignItems="center">
          <Tabs value={tab} onChange={(_e, v) => setTab(v)} sx={{ flexGrow: 1, minHeight: 36, "& .MuiTab-root": { minHeight: 36 } }}>
            <Tab value="curl" label="curl" />
            <Tab value="python" label="Python" />
          </Tabs>
          <Button
            size="small"
            startIcon={<ContentCopyIcon fontSize="small" />}
            onClick={() =>
              void navigator.clipboard?.writeText(code).then(
                () => setCopied(true),
                () => setCopied(false),
              )
            }
          >
            {copied ? "Copied" : "Copy"}
          </Button>
        </Stack>
        <Box component="pre" data-testid="predict-code" sx={{ m: 0, mt: 1, p: 1.5, bgcolor: "action.hover", borderRadius: 1, fontSize: 12, whiteSpace: "pre-wrap", wordBreak: "break-all" }}>
          {code}
        </Box>
        <Typography variant="caption" color="text.secondary">
          MODELHUB_TOKEN holds an access token: from POST /api/auth/token, or your single sign-on&apos;s for a service account. MLflow clients work unchanged: the endpoint
          also takes dataframe_records, dataframe_split and instances.
        </Typography>
      </AccordionDetails>
    </Accordion>
  );
}
