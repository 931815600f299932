import { Checkbox, FormControl, FormControlLabel, FormGroup, FormHelperText, FormLabel, Typography } from "@mui/material";
import { ROLES, type Role } from "../../api/types";

export function RolePicker({
  value,
  onChange,
  error,
}: {
  value: string[];
  onChange: (roles: Role[]) => void;
  error?: string;
}) {
  const toggle = (role: Role) =>
    onChange((value.includes(role) ? value.filter((r) => r !== role) : [...value, role]) as Role[]);
  return (
    <FormControl error={!!error} component="fieldset" variant="standard">
      <FormLabel component="legend" sx={{ mb: 0.5, fontSize: 13 }}>
        Roles
      </FormLabel>
      <FormGroup>
        {ROLES.map((role) => (
          <FormControlLabel
            key={role.value}
            control={
              <Checkbox size="small" checked={value.includes(role.value)} onChange={() => toggle(role.value)} />
            }
            label={
              <Typography variant="body2">
                <strong>{role.label}</strong>{" "}
                <Typography component="span" variant="body2" color="text.secondary">
                  — {role.description}
                </Typography>
              </Typography>
            }
          />
        ))}
      </FormGroup>
      {error && <FormHelperText>{error}</FormHelperText>}
    </FormControl>
  );
}
