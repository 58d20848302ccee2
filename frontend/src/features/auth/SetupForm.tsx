import { zodResolver } from "@hookform/resolvers/zod";
import { Alert, Button, Stack, TextField } from "@mui/material";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useForm } from "react-hook-form";
import { z } from "zod";

import PasswordField from "../../components/PasswordField";
import { fieldProps } from "../../lib/fieldProps";
import { containsUsername, newPassword, optionalEmail, username } from "../../lib/passwordRules";
import { saveSession } from "../../lib/session";
import { sameFields, useServerErrors } from "../../lib/useServerErrors";
import { authQueries, completeSetup } from "./queries";

const schema = z
  .object({
    token: z.string().trim().min(1, "Enter the setup token"),
    username,
    email: optionalEmail,
    password: newPassword,
    confirm: z.string(),
  })
  .refine((v) => v.password === v.confirm, {
    path: ["confirm"],
    message: "The passwords do not match",
  })
  .refine((v) => !containsUsername(v.password, v.username), {
    path: ["password"],
    message: "The password must not contain the username",
  });

type SetupValues = z.infer<typeof schema>;

const SERVER_FIELDS = sameFields("token", "username", "email", "password");

/** Create the first admin with the setup token; on success they are signed in. */
export default function SetupForm() {
  const queryClient = useQueryClient();
  const form = useForm<SetupValues>({
    resolver: zodResolver(schema),
    defaultValues: { token: "", username: "", email: "", password: "", confirm: "" },
  });
  const server = useServerErrors(form, SERVER_FIELDS);
  const setup = useMutation({
    mutationFn: completeSetup,
    onSuccess: (session) => {
      queryClient.setQueryData(authQueries.setupStatus().queryKey, { needsSetup: false });
      saveSession(session);
    },
    onError: server.report,
  });

  const submit = form.handleSubmit(({ token, username, email, password }) => {
    server.clear();
    setup.mutate({ token, username, email: email || null, password });
  });

  return (
    <Stack component="form" spacing={2.5} noValidate onSubmit={submit} aria-label="Set up Envdeck">
      {server.formError && <Alert severity="error">{server.formError}</Alert>}
      <TextField
        label="Setup token"
        autoComplete="off"
        autoFocus
        fullWidth
        {...fieldProps(
          form,
          "token",
          "Printed by the server at start-up; also in the file setup_token in its data directory",
        )}
      />
      <TextField
        label="Username"
        autoComplete="username"
        fullWidth
        {...fieldProps(form, "username")}
      />
      <TextField
        label="Email (optional)"
        type="email"
        autoComplete="email"
        fullWidth
        {...fieldProps(form, "email")}
      />
      <PasswordField
        label="Password"
        autoComplete="new-password"
        fullWidth
        advice={server.adviceFor("password")}
        {...fieldProps(
          form,
          "password",
          "At least 12 characters, hard to guess; a few unrelated words work well",
        )}
      />
      <PasswordField
        label="Confirm password"
        autoComplete="new-password"
        fullWidth
        {...fieldProps(form, "confirm")}
      />
      <Button type="submit" variant="contained" size="large" loading={setup.isPending}>
        Create admin and sign in
      </Button>
    </Stack>
  );
}
