import { zodResolver } from "@hookform/resolvers/zod";
import { DialogContentText } from "@mui/material";
import { useMutation } from "@tanstack/react-query";
import { useMemo } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";

import FormDialog from "../../components/FormDialog";
import PasswordField from "../../components/PasswordField";
import { fieldProps } from "../../lib/fieldProps";
import { containsUsername, newPassword } from "../../lib/passwordRules";
import { useServerErrors } from "../../lib/useServerErrors";
import { resetPassword, type User } from "./queries";

function passwordSchema(name: string) {
  return z.object({
    password: newPassword.refine((p) => !containsUsername(p, name), {
      message: "The password must not contain the username",
    }),
  });
}

type ResetValues = z.infer<ReturnType<typeof passwordSchema>>;

const SERVER_FIELDS = { password: "password" } as const;

interface ResetPasswordDialogProps {
  user: User;
  onClose: () => void;
  onReset: (user: User) => void;
}

/** Set a new password for a user; every session of theirs ends. */
export default function ResetPasswordDialog({ user, onClose, onReset }: ResetPasswordDialogProps) {
  const schema = useMemo(() => passwordSchema(user.username), [user.username]);
  const form = useForm<ResetValues>({
    resolver: zodResolver(schema),
    defaultValues: { password: "" },
  });
  const server = useServerErrors(form, SERVER_FIELDS);
  const reset = useMutation({
    mutationFn: (password: string) => resetPassword(user.id, password),
    onSuccess: () => onReset(user),
    onError: server.report,
  });

  const submit = form.handleSubmit(({ password }) => {
    server.clear();
    reset.mutate(password);
  });

  return (
    <FormDialog
      title={`Reset password of ${user.username}`}
      submitLabel="Reset password"
      submitColor="warning"
      onSubmit={submit}
      onClose={onClose}
      pending={reset.isPending}
      error={server.formError}
    >
      <DialogContentText>
        {user.username} is signed out everywhere at once and signs in with the new password.
      </DialogContentText>
      <PasswordField
        label="New password"
        autoComplete="new-password"
        autoFocus
        fullWidth
        advice={server.adviceFor("password")}
        {...fieldProps(form, "password")}
      />
    </FormDialog>
  );
}
