import { useRef, useState, type DragEvent } from "react";
import { Alert, Autocomplete, Box, Button, Grid, LinearProgress, MenuItem, Stack, TextField, Typography } from "@mui/material";
import CloudUploadOutlinedIcon from "@mui/icons-material/CloudUploadOutlined";
import InsertDriveFileOutlinedIcon from "@mui/icons-material/InsertDriveFileOutlined";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { isApiError } from "../../api/errors";
import { keys } from "../../api/hooks";
import { MODEL_FORMATS, registryApi, type ModelFormat, type ModelVersion } from "../../api/registry";
import { describeUploadError, isUploadCancelled, uploadForm, type UploadHandle, type UploadProgress } from "../../api/upload";
import { formatBytes, humanize } from "../../components/format";
import { JsonEditor } from "../../components/JsonEditor";
import { jsonProblem } from "../../components/jsonSchema";
import { checkMetrics, checkParams, formatFromName } from "./versionUpload";

type Fields = "file" | "format" | "params" | "metrics" | "notes" | "dataset_id" | "parent_version" | "source_execution_id";

/**
 * Upload a version: pick or drop the file, check the format guessed from its name, add params,
 * metrics and notes, and watch a real progress bar (XMLHttpRequest) that Cancel stops — the
 * server then keeps nothing.
 */
export function VersionUpload({
  modelId,
  onUploaded,
  onClose,
  closeLabel = "Cancel",
}: {
  modelId: string;
  onUploaded: (version: ModelVersion) => void;
  onClose?: () => void;
  closeLabel?: string;
}) {
  const client = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState<ModelFormat | "auto">("auto");
  const [params, setParams] = useState("");
  const [metrics, setMetrics] = useState("");
  const [notes, setNotes] = useState("");
  const [datasetId, setDatasetId] = useState<string | null>(null);
  const [parent, setParent] = useState("");
  const [errors, setErrors] = useState<Partial<Record<Fields, string>>>({});
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [outcome, setOutcome] = useState<{ severity: "error" | "info"; text: string } | null>(null);
  const [dragging, setDragging] = useState(false);
  const handle = useRef<UploadHandle<ModelVersion> | null>(null);
  const uploading = progress !== null;
  const datasets = useQuery({ queryKey: ["datasets", "picker"], queryFn: () => registryApi.datasets({ limit: 100 }), retry: false });

  const pick = (picked: File | undefined | null) => {
    if (!picked) return;
    setFile(picked);
    setFormat(formatFromName(picked.name).format ?? "auto");
    setErrors((e) => ({ ...e, file: undefined, format: undefined }));
    setOutcome(null);
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    pick(event.dataTransfer.files?.[0]);
  };

  const start = async () => {
    const found: Partial<Record<Fields, string>> = {};
    if (!file) found.file = "Choose the model file";
    else if (file.size === 0) found.file = "This file is empty";
    const p = jsonProblem(params, checkParams);
    if (p) found.params = p;
    const m = jsonProblem(metrics, checkMetrics);
    if (m) found.metrics = m;
    if (parent && !/^[1-9]\d*$/.test(parent)) found.parent_version = "A version number, like 3";
    if (notes.length > 5000) found.notes = "At most 5,000 characters";
    setErrors(found);
    if (Object.keys(found).length || !file) return;

    const form = new FormData();
    if (format !== "auto") form.set("format", format);
    if (params.trim()) form.set("params", params);
    if (metrics.trim()) form.set("metrics", metrics);
    if (notes.trim()) form.set("notes", notes.trim());
    if (datasetId) form.set("dataset_id", datasetId);
    if (parent) form.set("parent_version", parent);
    form.set("file", file, file.name); // last: the server streams the file after reading the fields
    setOutcome(null);
    setProgress({ loaded: 0, total: file.size, percent: 0 });
    handle.current = uploadForm<ModelVersion>(`/api/models/${encodeURIComponent(modelId)}/versions`, form, setProgress);
    try {
      const version = await handle.current.promise;
      void client.invalidateQueries({ queryKey: keys.models });
      setProgress(null);
      onUploaded(version);
    } catch (error) {
      setProgress(null);
      if (isUploadCancelled(error)) {
        setOutcome({ severity: "info", text: "Upload cancelled: the server kept nothing. Pick the file again or upload later." });
        return;
      }
      const fields = isApiError(error) ? error.fieldErrors() : {};
      const mapped = Object.fromEntries(Object.entries(fields).filter(([k]) => ["file", "format", "params", "metrics", "notes", "dataset_id", "parent_version"].includes(k)));
      setErrors(mapped);
      setOutcome({ severity: "error", text: describeUploadError(error) });
    } finally {
      handle.current = null;
    }
  };

  const guess = file ? formatFromName(file.name) : null;
  return (
    <Box data-testid="version-upload">
      {outcome && (
        <Alert severity={outcome.severity} sx={{ mb: 2 }} role={outcome.severity === "error" ? "alert" : "status"}>
          {outcome.text}
        </Alert>
      )}
      <Box
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        onClick={() => !uploading && input.current?.click()}
        role="button"
        tabIndex={0}
        aria-label="Choose the model file"
        onKeyDown={(e) => (e.key === "Enter" || e.key === " ") && input.current?.click()}
        sx={{
          border: 2,
          borderStyle: "dashed",
          borderColor: errors.file ? "error.main" : dragging ? "primary.main" : "divider",
          bgcolor: dragging ? "action.hover" : "background.default",
          borderRadius: 2,
          p: 3,
          textAlign: "center",
          cursor: uploading ? "default" : "pointer",
        }}
      >
        <input ref={input} type="file" hidden data-testid="version-file" onChange={(e) => pick(e.target.files?.[0])} />
        {file ? (
          <Stack direction="row" spacing={1.5} alignItems="center" justifyContent="center">
            <InsertDriveFileOutlinedIcon color="primary" />
            <Box sx={{ textAlign: "left" }}>
              <Typography fontWeight={600}>{file.name}</Typography>
              <Typography variant="caption" color="text.secondary">
                {formatBytes(file.size)} · click or drop to replace
              </Typography>
            </Box>
          </Stack>
        ) : (
          <>
            <CloudUploadOutlinedIcon color="action" sx={{ fontSize: 36 }} />
            <Typography>Drop the model file here, or click to choose it</Typography>
            <Typography variant="caption" color="text.secondary">
              skops, joblib, pickle, TorchScript, ONNX, a zipped MLflow model … streamed to the store, never loaded by the API
            </Typography>
          </>
        )}
      </Box>
      {errors.file && (
        <Typography variant="caption" color="error" sx={{ ml: 1.5 }}>
          {errors.file}
        </Typography>
      )}

      <Grid container spacing={2} sx={{ mt: 1 }}>
        <Grid size={{ xs: 12, sm: 6 }}>
          <TextField
            select
            fullWidth
            label="Format"
            value={format}
            onChange={(e) => setFormat(e.target.value as ModelFormat | "auto")}
            error={!!errors.format}
            helperText={errors.format ?? (guess ? `From the name: ${guess.hint}` : "Detected from the file name; change it if it is wrong")}
            disabled={uploading}
          >
            <MenuItem value="auto">Detect from the content</MenuItem>
            {MODEL_FORMATS.map((f) => (
              <MenuItem key={f} value={f}>
                {humanize(f)}
              </MenuItem>
            ))}
          </TextField>
        </Grid>
        <Grid size={{ xs: 12, sm: 6 }}>
          <TextField
            fullWidth
            label="Parent version"
            value={parent}
            onChange={(e) => setParent(e.target.value.trim())}
            error={!!errors.parent_version}
            helperText={errors.parent_version ?? "Optional: the version this one was derived from"}
            disabled={uploading}
            slotProps={{ htmlInput: { inputMode: "numeric" } }}
          />
        </Grid>
        <Grid size={12}>
          <Autocomplete
            options={datasets.data?.items ?? []}
            getOptionLabel={(d) => `${d.name} · ${d.row_count} rows · ${d.sha256.slice(0, 8)}`}
            value={datasets.data?.items.find((d) => d.id === datasetId) ?? null}
            onChange={(_e, d) => setDatasetId(d?.id ?? null)}
            loading={datasets.isLoading}
            disabled={uploading}
            renderInput={(p) => (
              <TextField
                {...p}
                label="Training dataset"
                error={!!errors.dataset_id}
                helperText={errors.dataset_id ?? (datasets.isError ? "Datasets could not be listed; leave empty" : "Optional lineage: the dataset it was trained on (its sha256 is recorded)")}
              />
            )}
          />
        </Grid>
        <Grid size={{ xs: 12, md: 6 }}>
          <JsonEditor label="Parameters" value={params} onChange={setParams} check={checkParams} serverError={errors.params} minRows={4} example={{ max_depth: 6, n_estimators: 200 }} />
        </Grid>
        <Grid size={{ xs: 12, md: 6 }}>
          <JsonEditor label="Metrics" value={metrics} onChange={setMetrics} check={checkMetrics} serverError={errors.metrics} minRows={4} example={{ auc: 0.91, f1: 0.78 }} />
        </Grid>
        <Grid size={12}>
          <TextField
            fullWidth
            multiline
            minRows={2}
            label="Notes"
            value={notes}
            onChange={(e) => setNotes(e.target.value)}
            error={!!errors.notes}
            helperText={errors.notes ?? "What changed in this version"}
            disabled={uploading}
          />
        </Grid>
      </Grid>

      {progress && (
        <Box sx={{ mt: 2 }} data-testid="upload-progress">
          <Stack direction="row" justifyContent="space-between" sx={{ mb: 0.5 }}>
            <Typography variant="body2">
              Uploading {file?.name} — {progress.percent === null ? "…" : `${progress.percent} %`}
            </Typography>
            <Typography variant="body2" color="text.secondary">
              {formatBytes(progress.loaded)} of {formatBytes(progress.total || file?.size)}
            </Typography>
          </Stack>
          <LinearProgress
            variant={progress.percent === null ? "indeterminate" : "determinate"}
            value={progress.percent ?? 0}
            aria-label="upload progress"
            sx={{ height: 8, borderRadius: 4 }}
          />
          {progress.percent === 100 && (
            <Typography variant="caption" color="text.secondary">
              Sent; the server is checking the file and computing its sha256…
            </Typography>
          )}
        </Box>
      )}
      <Stack direction="row" spacing={1} justifyContent="flex-end" sx={{ mt: 2 }}>
        {uploading ? (
          <Button color="error" variant="outlined" onClick={() => handle.current?.abort()}>
            Cancel upload
          </Button>
        ) : (
          onClose && <Button onClick={onClose}>{closeLabel}</Button>
        )}
        <Button variant="contained" startIcon={<CloudUploadOutlinedIcon />} onClick={() => void start()} disabled={uploading}>
          Upload version
        </Button>
      </Stack>
    </Box>
  );
}
