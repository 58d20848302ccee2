import { zodResolver } from "@hookform/resolvers/zod";
import { TextField } from "@mui/material";
import { Controller, useForm } from "react-hook-form";
import { z } from "zod";

import FormDialog from "../../components/FormDialog";
import PasswordField from "../../components/PasswordField";
import RoleSelect from "../../components/RoleSelect";
import { fieldProps } from "../../lib/fieldProps";
import { containsUsername, newPassword, optionalEmail, username } from "../../lib/passwordRules";
import { ROLES } from "../../lib/roles";
import { useInvalidatingMutation } from "../../lib/useInvalidatingMutation";
import { sameFields, useServerErrors } from "../../lib/useServerErrors";
import { createUser, type User, userQueries } from "./queries";

const schema = z
  .object({ username, email: optionalEmail, role: z.enum(ROLES), password: newPassword })
  .refine((v) => !containsUsername(v.password, v.username), {
    path: ["password"],
    message: "The password must not contain the username",
  });

type CreateValues = z.infer<typeof schema>;

const SERVER_FIELDS = sameFields("username", "email", "role", "password");

interface CreateUserDialogProps {
  onClose: () => void;
  onCreated: (user: User) => void;
}

/** Create a user with a role (viewer unless chosen otherwise) and a first password. */
export default function CreateUserDialog({ onClose, onCreated }: CreateUserDialogProps) {
  const form = useForm<CreateValues>({
    resolver: zodResolver(schema),
    defaultValues: { username: "", email: "", role: "viewer", password: "" },
  });
  const server = useServerErrors(form, SERVER_FIELDS);
  const create = useInvalidatingMutation({
    mutationFn: createUser,
    invalidates: userQueries.all(),
    onSuccess: onCreated,
    onError: server.report,
  });

  const submit = form.handleSubmit(({ email, ...values }) => {
    server.clear();
    create.mutate({ ...values, email: email || null });
  });

  return (
    <FormDialog
      title="Create user"
      submitLabel="Create user"
      onSubmit={submit}
      onClose={onClose}
      pending={create.isPending}
      error={server.formError}
    >
      <TextField
        label="Username"
        autoComplete="off"
        autoFocus
        fullWidth
        {...fieldProps(form, "username")}
      />
      <TextField
        label="Email (optional)"
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
      <PasswordField
        label="Password"
        autoComplete="new-password"
        fullWidth
        advice={server.adviceFor("password")}
        {...fieldProps(
          form,
          "password",
          "Tell it to them safely; they can change it after signing in",
        )}
      />
    </FormDialog>
  );
}
