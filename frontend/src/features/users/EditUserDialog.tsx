import { zodResolver } from "@hookform/resolvers/zod";
import { FormControlLabel, FormHelperText, Switch, TextField } from "@mui/material";
import { Controller, useForm } from "react-hook-form";
import { z } from "zod";

import FormDialog from "../../components/FormDialog";
import RoleSelect from "../../components/RoleSelect";
import { fieldProps } from "../../lib/fieldProps";
import { optionalEmail } from "../../lib/passwordRules";
import { ROLES } from "../../lib/roles";
import { useInvalidatingMutation } from "../../lib/useInvalidatingMutation";
import { sameFields, useServerErrors } from "../../lib/useServerErrors";
import { type User, type UserUpdate, updateUser, userQueries } from "./queries";

const schema = z.object({ email: optionalEmail, role: z.enum(ROLES), active: z.boolean() });

type EditValues = z.infer<typeof schema>;

const SERVER_FIELDS = sameFields("email", "role", "active");

interface EditUserDialogProps {
  user: User;
  onClose: () => void;
  onSaved: (user: User) => void;
}

/** The changes of a form, as the PATCH body: only what changed; an emptied email is removed. */
function changes(user: User, values: EditValues): UserUpdate {
  const update: UserUpdate = {};
  if (values.email !== (user.email ?? "")) update.email = values.email || null;
  if (values.role !== user.role) update.role = values.role;
  if (values.active !== user.active) update.active = values.active;
  return update;
}

/** Change a user's role, active flag or email. */
export default function EditUserDialog({ user, onClose, onSaved }: EditUserDialogProps) {
  const form = useForm<EditValues>({
    resolver: zodResolver(schema),
    defaultValues: { email: user.email ?? "", role: user.role, active: user.active },
  });
  const server = useServerErrors(form, SERVER_FIELDS);
  const save = useInvalidatingMutation({
    mutationFn: (update: UserUpdate) => updateUser(user.id, update),
    invalidates: userQueries.all(),
    onSuccess: onSaved,
    onError: server.report,
  });

  const submit = form.handleSubmit((values) => {
    server.clear();
    const update = changes(user, values);
    if (Object.keys(update).length === 0) onClose();
    else save.mutate(update);
  });

  return (
    <FormDialog
      title={`Edit ${user.username}`}
      submitLabel="Save"
      onSubmit={submit}
      onClose={onClose}
      pending={save.isPending}
      error={server.formError}
    >
      <TextField
        label="Email"
        type="email"
        autoComplete="off"
        fullWidth
        {...fieldProps(form, "email")}
      />
      <Controller
        control={form.control}
        name="role"
        render={({ field: { ref, ...field } }) => (
          <RoleSelect roles={ROLES} inputRef={ref} {...field} />
        )}
      />
      <Controller
        control={form.control}
        name="active"
        render={({ field: { ref, value, onChange, ...field } }) => (
          <div>
            <FormControlLabel
              label="Active"
              control={
                <Switch
                  inputRef={ref}
                  checked={value}
                  onChange={(event) => onChange(event.target.checked)}
                  {...field}
                />
              }
            />
            <FormHelperText>
              An inactive user cannot sign in, and their sessions and API tokens stop working.
            </FormHelperText>
          </div>
        )}
      />
    </FormDialog>
  );
}
