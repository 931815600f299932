import { useState } from "react";
import { Alert, Autocomplete, Dialog, DialogContent, DialogTitle, MenuItem, Stack, TextField, Typography } from "@mui/material";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { describeError } from "../../api/errors";
import { keys } from "../../api/hooks";
import { registryApi, STAGES, type Model, type ModelVersion, type Stage } from "../../api/registry";
import { humanize } from "../../components/format";
import { FormDialog } from "../../components/FormDialog";
import { VersionUpload } from "./VersionUpload";
import { aliasProblem, SUGGESTED_ALIASES } from "./versionUpload";

function useRefreshModel() {
  const client = useQueryClient();
  return () => {
    void client.invalidateQueries({ queryKey: keys.models });
    void client.invalidateQueries({ queryKey: keys.deployments });
  };
}

/** Point an alias (champion, challenger or your own) at a version, after a confirmation that says what moves. */
export function AliasDialog({
  model,
  versions,
  initial,
  onClose,
  onDone,
}: {
  model: Model;
  versions: number[];
  initial: { alias?: string; version?: number };
  onClose: () => void;
  onDone: (text: string) => void;
}) {
  const [alias, setAlias] = useState(initial.alias ?? "champion");
  const [version, setVersion] = useState<number | "">(initial.version ?? versions[0] ?? "");
  const [failure, setFailure] = useState<string | null>(null);
  const refresh = useRefreshModel();
  const move = useMutation({ mutationFn: () => registryApi.setAlias(model.id, alias, Number(version)) });
  const current = model.aliases?.[alias];
  const problem = aliasProblem(alias);

  const submit = async () => {
    if (problem || version === "") return;
    setFailure(null);
    try {
      await move.mutateAsync();
      refresh();
      onDone(`${alias} now points to v${version}`);
    } catch (error) {
      setFailure(describeError(error).message);
    }
  };
  return (
    <FormDialog
      open
      title={current ? `Move alias ${alias}` : "Set an alias"}
      submitLabel={current ? `Move ${alias} to v${version}` : `Point ${alias || "alias"} at v${version}`}
      busyLabel="Moving…"
      busy={move.isPending}
      submitDisabled={!!problem || version === "" || current === version}
      failure={failure}
      onSubmit={submit}
      onClose={onClose}
      maxWidth="xs"
    >
      <Stack spacing={2}>
        <Autocomplete
          freeSolo
          options={[...new Set([...SUGGESTED_ALIASES, ...Object.keys(model.aliases ?? {})])]}
          value={alias}
          onInputChange={(_e, v) => setAlias(v.trim().toLowerCase())}
          renderInput={(p) => <TextField {...p} label="Alias" error={!!problem && alias !== ""} helperText={problem ?? "champion, challenger, or a name of your own"} />}
        />
        <TextField select label="Version" value={version} onChange={(e) => setVersion(Number(e.target.value))}>
          {versions.map((v) => (
            <MenuItem key={v} value={v}>
              v{v}
            </MenuItem>
          ))}
        </TextField>
        {!problem && version !== "" && (
          <Alert severity={current === version ? "info" : "warning"} variant="outlined">
            {current === version ? (
              <>
                {alias} already points to v{version}.
              </>
            ) : (
              <>
                {current ? (
                  <>
                    <strong>{alias}</strong> moves from v{current} to <strong>v{version}</strong>.
                  </>
                ) : (
                  <>
                    <strong>{alias}</strong> will point to <strong>v{version}</strong>.
                  </>
                )}{" "}
                Deployments that use this alias run v{version} from their next run on. The move is recorded in the audit log.
              </>
            )}
          </Alert>
        )}
      </Stack>
    </FormDialog>
  );
}

/** Move a version to a stage; production archives the previous production version (the server does it). */
export function StageDialog({
  model,
  version,
  productionVersion,
  onClose,
  onDone,
}: {
  model: Model;
  version: ModelVersion;
  productionVersion?: number | null;
  onClose: () => void;
  onDone: (text: string) => void;
}) {
  const [stage, setStage] = useState<Stage>(version.stage === "production" ? "archived" : "production");
  const [failure, setFailure] = useState<string | null>(null);
  const refresh = useRefreshModel();
  const move = useMutation({ mutationFn: () => registryApi.setStage(model.id, version.version, stage) });
  const submit = async () => {
    setFailure(null);
    try {
      await move.mutateAsync();
      refresh();
      onDone(`v${version.version} is now in ${humanize(stage).toLowerCase()}`);
    } catch (error) {
      setFailure(describeError(error).message);
    }
  };
  const archivesOther = stage === "production" && productionVersion && productionVersion !== version.version;
  return (
    <FormDialog
      open
      title={`Move v${version.version} to a stage`}
      submitLabel={`Move to ${humanize(stage).toLowerCase()}`}
      busyLabel="Moving…"
      busy={move.isPending}
      submitDisabled={stage === version.stage}
      failure={failure}
      onSubmit={submit}
      onClose={onClose}
      maxWidth="xs"
    >
      <Stack spacing={2}>
        <Typography variant="body2" color="text.secondary">
          Now in <strong>{humanize(version.stage)}</strong>.
        </Typography>
        <TextField select label="Stage" value={stage} onChange={(e) => setStage(e.target.value as Stage)}>
          {STAGES.map((s) => (
            <MenuItem key={s} value={s}>
              {humanize(s)}
            </MenuItem>
          ))}
        </TextField>
        {archivesOther && (
          <Alert severity="warning" variant="outlined">
            v{productionVersion} is in production now: it moves to archived.
          </Alert>
        )}
      </Stack>
    </FormDialog>
  );
}

export function UploadVersionDialog({
  model,
  onClose,
  onDone,
}: {
  model: Model;
  onClose: () => void;
  onDone: (version: ModelVersion) => void;
}) {
  return (
    <Dialog open onClose={onClose} maxWidth="md" fullWidth aria-labelledby="upload-version-title">
      <DialogTitle id="upload-version-title">Upload a version of {model.name}</DialogTitle>
      <DialogContent dividers>
        <VersionUpload modelId={model.id} onUploaded={onDone} onClose={onClose} />
      </DialogContent>
    </Dialog>
  );
}
