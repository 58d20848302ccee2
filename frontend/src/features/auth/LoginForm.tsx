import { zodResolver } from "@hookform/resolvers/zod";
import { Alert, Button, Stack, TextField } from "@mui/material";
import { useMutation } from "@tanstack/react-query";
import { useForm } from "react-hook-form";
import { z } from "zod";

import PasswordField from "../../components/PasswordField";
import { fieldProps } from "../../lib/fieldProps";
import { saveSession } from "../../lib/session";
import { useServerErrors } from "../../lib/useServerErrors";
import { login } from "./queries";

const schema = z.object({
  username: z.string().trim().min(1, "Enter your username or email"),
  password: z.string().min(1, "Enter your password"),
});

type LoginValues = z.infer<typeof schema>;

// Unknown user and wrong password look alike on purpose: no field is to blame.
const NO_FIELDS = {};

/** Sign in with a username (or email) and password; signing in is what moves the page on. */
export default function LoginForm() {
  const form = useForm<LoginValues>({
    resolver: zodResolver(schema),
    defaultValues: { username: "", password: "" },
  });
  const server = useServerErrors(form, NO_FIELDS);
  const signIn = useMutation({ mutationFn: login, onSuccess: saveSession, onError: server.report });

  const submit = form.handleSubmit((values) => {
    server.clear();
    signIn.mutate(values);
  });

  return (
    <Stack component="form" spacing={2.5} noValidate onSubmit={submit} aria-label="Sign in">
      {server.formError && <Alert severity="error">{server.formError}</Alert>}
      <TextField
        label="Username or email"
        autoComplete="username"
        autoFocus
        fullWidth
        {...fieldProps(form, "username")}
      />
      <PasswordField
        label="Password"
        autoComplete="current-password"
        fullWidth
        {...fieldProps(form, "password")}
      />
      <Button type="submit" variant="contained" size="large" loading={signIn.isPending}>
        Sign in
      </Button>
    </Stack>
  );
}
