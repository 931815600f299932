import { useState } from "react";
import { Grid, TextField } from "@mui/material";
import { isApiError, describeError } from "../../api/errors";
import { useCreateUser } from "../../api/hooks";
import type { Role, User } from "../../api/types";
import { FormDialog } from "../../components/FormDialog";
import { RolePicker } from "./RolePicker";
import { validateUser, type UserForm } from "./userValidation";

const EMPTY: UserForm = { username: "", first_name: "", last_name: "", email: "", password: "", roles: ["viewer"] };

type Errors = Partial<Record<keyof UserForm, string>>;

export function CreateUserDialog({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose: () => void;
  onCreated: (user: User) => void;
}) {
  const [form, setForm] = useState<UserForm>(EMPTY);
  const [errors, setErrors] = useState<Errors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const create = useCreateUser();

  const set = (field: keyof UserForm) => (value: string) => {
    setForm((f) => ({ ...f, [field]: value }));
    if (errors[field]) setErrors((e) => ({ ...e, [field]: undefined }));
  };

  const close = () => {
    setForm(EMPTY);
    setErrors({});
    setFailure(null);
    create.reset();
    onClose();
  };

  const submit = async () => {
    setFailure(null);
    const found = validateUser(form);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    try {
      const user = await create.mutateAsync({
        username: form.username,
        first_name: form.first_name.trim(),
        last_name: form.last_name.trim(),
        email: form.email.trim(),
        password: form.password,
        roles: form.roles as Role[],
        groups: [],
      });
      onCreated(user);
      close();
    } catch (error) {
      // the server's field errors go on the fields; anything else above the form
      const fields = isApiError(error) ? error.fieldErrors() : {};
      const known = Object.fromEntries(Object.entries(fields).filter(([k]) => k in EMPTY)) as Errors;
      setErrors(known);
      if (Object.keys(known).length === 0) setFailure(describeError(error).message);
    }
  };

  const field = (name: keyof Omit<UserForm, "roles">, label: string, extra: Record<string, unknown> = {}) => (
    <TextField
      label={label}
      name={name}
      fullWidth
      value={form[name]}
      onChange={(e) => set(name)(e.target.value)}
      error={!!errors[name]}
      helperText={errors[name] ?? (extra.help as string | undefined)}
      slotProps={{ htmlInput: { "aria-label": label } }}
      {...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== "help"))}
    />
  );

  return (
    <FormDialog
      open={open}
      title="Create user"
      submitLabel="Create user"
      busyLabel="Creating…"
      busy={create.isPending}
      failure={failure}
      onSubmit={submit}
      onClose={close}
    >
      <Grid container spacing={2} sx={{ pt: 0.5 }}>
        <Grid size={12}>
          {field("username", "Username", {
            autoFocus: true,
            help: "Lower-case letters, digits, '.', '_' or '-'",
            autoComplete: "off",
          })}
        </Grid>
        <Grid size={{ xs: 12, sm: 6 }}>{field("first_name", "First name")}</Grid>
        <Grid size={{ xs: 12, sm: 6 }}>{field("last_name", "Last name")}</Grid>
        <Grid size={12}>{field("email", "E-mail", { type: "email" })}</Grid>
        <Grid size={12}>
          {field("password", "Initial password", {
            type: "password",
            autoComplete: "new-password",
            help: "At least 8 characters; the user can be given a new one later",
          })}
        </Grid>
        <Grid size={12}>
          <RolePicker value={form.roles} onChange={(roles) => setForm((f) => ({ ...f, roles }))} error={errors.roles} />
        </Grid>
      </Grid>
    </FormDialog>
  );
}
