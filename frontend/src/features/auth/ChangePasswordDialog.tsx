import { zodResolver } from "@hookform/resolvers/zod";
import { DialogContentText } from "@mui/material";
import { useMutation } from "@tanstack/react-query";
import { useForm } from "react-hook-form";
import { z } from "zod";

import FormDialog from "../../components/FormDialog";
import PasswordField from "../../components/PasswordField";
import { fieldProps } from "../../lib/fieldProps";
import { newPassword } from "../../lib/passwordRules";
import { saveSession } from "../../lib/session";
import { useServerErrors } from "../../lib/useServerErrors";
import { changePassword } from "./queries";

const schema = z
  .object({
    current: z.string().min(1, "Enter your current password"),
    password: newPassword,
    confirm: z.string(),
  })
  .refine((v) => v.password === v.confirm, {
    path: ["confirm"],
    message: "The passwords do not match",
  });

type PasswordValues = z.infer<typeof schema>;

const SERVER_FIELDS = {
  currentPassword: "current",
  newPassword: "password",
  password: "password",
} as const;

interface ChangePasswordDialogProps {
  open: boolean;
  onClose: () => void;
  onChanged: () => void;
  /** The password must be changed before anything else (a migrated one the policy refuses). */
  required?: boolean;
}

/** Change your own password; the server ends every session and signs this one in anew. */
export default function ChangePasswordDialog({
  open,
  onClose,
  onChanged,
  required = false,
}: ChangePasswordDialogProps) {
  const form = useForm<PasswordValues>({
    resolver: zodResolver(schema),
    defaultValues: { current: "", password: "", confirm: "" },
  });
  const server = useServerErrors(form, SERVER_FIELDS);
  const change = useMutation({
    mutationFn: changePassword,
    onSuccess: (session) => {
      // The old token stopped working with the change: carry on with the new one.
      saveSession(session);
      // A required change ends with the new session (which needs no change): nothing to close.
      if (required) reset();
      else close();
      onChanged();
    },
    onError: server.report,
  });

  function reset() {
    form.reset();
    server.clear();
    change.reset();
  }

  function close() {
    reset();
    onClose();
  }

  const submit = form.handleSubmit(({ current, password }) => {
    server.clear();
    change.mutate({ currentPassword: current, newPassword: password });
  });

  return (
    <FormDialog
      open={open}
      title={required ? "Choose a new password" : "Change password"}
      submitLabel="Change password"
      onSubmit={submit}
      onClose={close}
      pending={change.isPending}
      error={server.formError}
    >
      {required && (
        <DialogContentText>
          Your password does not meet this Envdeck&apos;s password policy: choose a new one to
          continue. Cancel signs you out.
        </DialogContentText>
      )}
      <DialogContentText>
        Your other sessions end: other browsers and tabs will have to sign in again. API tokens keep
        working.
      </DialogContentText>
      <PasswordField
        label="Current password"
        autoComplete="current-password"
        autoFocus
        fullWidth
        {...fieldProps(form, "current")}
      />
      <PasswordField
        label="New password"
        autoComplete="new-password"
        fullWidth
        advice={server.adviceFor("password")}
        {...fieldProps(form, "password")}
      />
      <PasswordField
        label="Confirm new password"
        autoComplete="new-password"
        fullWidth
        {...fieldProps(form, "confirm")}
      />
    </FormDialog>
  );
}
