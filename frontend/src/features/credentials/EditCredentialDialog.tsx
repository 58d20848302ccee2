import { zodResolver } from "@hookform/resolvers/zod";
import { DialogContentText, TextField } from "@mui/material";
import { useForm } from "react-hook-form";
import { z } from "zod";

import FormDialog from "../../components/FormDialog";
import PasswordField from "../../components/PasswordField";
import { fieldProps } from "../../lib/fieldProps";
import { useInvalidatingMutation } from "../../lib/useInvalidatingMutation";
import { sameFields, useServerErrors } from "../../lib/useServerErrors";
import { credentialName, credentialUsername, passphrase, SECRET_MAX } from "./credentialRules";
import {
  type Credential,
  credentialQueries,
  type CredentialUpdate,
  KIND_LABELS,
  updateCredential,
} from "./queries";
import SecretField from "./SecretField";

const schema = z.object({
  name: credentialName,
  username: credentialUsername,
  secret: z.string().max(SECRET_MAX, `Use at most ${SECRET_MAX} characters`),
  passphrase,
});

type EditValues = z.infer<typeof schema>;

const SERVER_FIELDS = sameFields("name", "username", "secret", "passphrase");

/** The PATCH body: only what changed; an empty secret keeps the stored one. */
function changes(credential: Credential, values: EditValues): CredentialUpdate {
  const update: CredentialUpdate = {};
  if (values.name !== credential.name) update.name = values.name;
  if (values.username !== credential.username) update.username = values.username;
  if (values.secret !== "") {
    update.secret = values.secret;
    // A new key comes with its own passphrase, or none (which removes the old one).
    if (credential.type === "key") update.passphrase = values.passphrase || null;
  }
  return update;
}

interface EditCredentialDialogProps {
  credential: Credential;
  onClose: () => void;
  onSaved: (credential: Credential) => void;
}

/** Rename a credential, change its username, or replace its secret. */
export default function EditCredentialDialog({
  credential,
  onClose,
  onSaved,
}: EditCredentialDialogProps) {
  const form = useForm<EditValues>({
    resolver: zodResolver(schema),
    defaultValues: {
      name: credential.name,
      username: credential.username,
      secret: "",
      passphrase: "",
    },
  });
  const newSecret = form.watch("secret") !== "";
  const server = useServerErrors(form, SERVER_FIELDS);
  const save = useInvalidatingMutation({
    mutationFn: (update: CredentialUpdate) => updateCredential(credential.id, update),
    invalidates: credentialQueries.all(),
    onSuccess: onSaved,
    onError: server.report,
  });

  const submit = form.handleSubmit((values) => {
    server.clear();
    const update = changes(credential, values);
    if (Object.keys(update).length === 0) onClose();
    else save.mutate(update);
  });

  const isKey = credential.type === "key";
  return (
    <FormDialog
      title={`Edit ${credential.name}`}
      submitLabel="Save"
      onSubmit={submit}
      onClose={onClose}
      pending={save.isPending}
      error={server.formError}
    >
      <DialogContentText>{KIND_LABELS[credential.type]}</DialogContentText>
      <TextField label="Name" autoComplete="off" fullWidth {...fieldProps(form, "name")} />
      <TextField label="Username" autoComplete="off" fullWidth {...fieldProps(form, "username")} />
      <SecretField
        kind={credential.type}
        label={isKey ? "New private key (optional)" : "New password (optional)"}
        fullWidth
        {...fieldProps(form, "secret", "Leave empty to keep the stored one")}
      />
      {isKey && newSecret && (
        <PasswordField
          label="Passphrase of the new key (optional)"
          autoComplete="off"
          fullWidth
          {...fieldProps(form, "passphrase")}
        />
      )}
    </FormDialog>
  );
}
