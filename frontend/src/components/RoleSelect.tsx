import { MenuItem, TextField, type TextFieldProps } from "@mui/material";

import { ROLE_HELP, ROLE_LABELS, type Role } from "../lib/roles";

type RoleSelectProps = Omit<TextFieldProps, "select" | "children" | "value"> & {
  value: Role;
  /** The roles to offer, lowest first. */
  roles: readonly Role[];
};

/** A role picker that says what the chosen role may do. */
export default function RoleSelect({ roles, value, helperText, ...props }: RoleSelectProps) {
  return (
    <TextField
      label="Role"
      fullWidth
      {...props}
      select
      value={value}
      helperText={helperText ?? ROLE_HELP[value]}
    >
      {roles.map((role) => (
        <MenuItem key={role} value={role}>
          {ROLE_LABELS[role]}
        </MenuItem>
      ))}
    </TextField>
  );
}
