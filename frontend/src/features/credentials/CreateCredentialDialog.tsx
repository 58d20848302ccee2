import { zodResolver } from "@hookform/resolvers/zod";
import { MenuItem, TextField } from "@mui/material";
import { Controller, useForm } from "react-hook-form";
import { z } from "zod";

import FormDialog from "../../components/FormDialog";
import PasswordField from "../../components/PasswordField";
import { fieldProps } from "../../lib/fieldProps";
import { useInvalidatingMutation } from "../../lib/useInvalidatingMutation";
import { sameFields, useServerErrors } from "../../lib/useServerErrors";
import { credentialName, credentialUsername, passphrase, SECRET_MAX } from "./credentialRules";
import {
  type Credential,
  CREDENTIAL_KINDS,
  credentialQueries,
  createCredential,
  KIND_LABELS,
} from "./queries";
import SecretField from "./SecretField";

const schema = z.object({
  type: z.enum(CREDENTIAL_KINDS),
  name: credentialName,
  username: credentialUsername,
  secret: z
    .string()
    .min(1, "Enter the private key or the password")
    .max(SECRET_MAX, `Use at most ${SECRET_MAX} characters`),
  passphrase,
});

type CreateValues = z.infer<typeof schema>;

const SERVER_FIELDS = sameFields("type", "name", "username", "secret", "passphrase");

interface CreateCredentialDialogProps {
  onClose: () => void;
  onCreated: (credential: Credential) => void;
}

/** Store an SSH private key (optionally encrypted) or a password. */
export default function CreateCredentialDialog({
  onClose,
  onCreated,
}: CreateCredentialDialogProps) {
  const form = useForm<CreateValues>({
    resolver: zodResolver(schema),
    defaultValues: { type: "key", name: "", username: "", secret: "", passphrase: "" },
  });
  const kind = form.watch("type");
  const server = useServerErrors(form, SERVER_FIELDS);
  const create = useInvalidatingMutation({
    mutationFn: createCredential,
    invalidates: credentialQueries.all(),
    onSuccess: onCreated,
    onError: server.report,
  });

  const submit = form.handleSubmit(({ passphrase: phrase, ...values }) => {
    server.clear();
    create.mutate({ ...values, passphrase: values.type === "key" && phrase ? phrase : null });
  });

  return (
    <FormDialog
      title="New credential"
      submitLabel="Create credential"
      onSubmit={submit}
      onClose={onClose}
      pending={create.isPending}
      error={server.formError}
    >
      <Controller
        control={form.control}
        name="type"
        render={({ field: { ref, ...field } }) => (
          <TextField select label="Type" inputRef={ref} fullWidth {...field}>
            {CREDENTIAL_KINDS.map((kind) => (
              <MenuItem key={kind} value={kind}>
                {KIND_LABELS[kind]}
              </MenuItem>
            ))}
          </TextField>
        )}
      />
      <TextField
        label="Name"
        autoComplete="off"
        autoFocus
        fullWidth
        {...fieldProps(form, "name")}
      />
      <TextField
        label="Username"
        autoComplete="off"
        fullWidth
        {...fieldProps(form, "username", "The SSH user; environments may set their own")}
      />
      <SecretField
        kind={kind}
        label={kind === "key" ? "Private key" : "Password"}
        fullWidth
        {...fieldProps(
          form,
          "secret",
          kind === "key" ? "OpenSSH or PEM; stored encrypted, never shown again" : undefined,
        )}
      />
      {kind === "key" && (
        <PasswordField
          label="Passphrase (optional)"
          autoComplete="off"
          fullWidth
          {...fieldProps(form, "passphrase", "Only for an encrypted key")}
        />
      )}
    </FormDialog>
  );
}
