import { Alert, Stack, TextField } from "@mui/material";

import { fieldProps } from "../../lib/fieldProps";
import { type EnvironmentFormApi, HOST_KEY_POLICIES } from "./environmentForm";
import FormSection from "./FormSection";
import SelectField from "./SelectField";

const POLICY_LABELS: Record<(typeof HOST_KEY_POLICIES)[number], string> = {
  tofu: "Trust on first use",
  pin: "Pinned host key",
  off: "Off (insecure: the host key is not checked)",
};
const POLICY_OPTIONS = HOST_KEY_POLICIES.map((p) => ({ value: p, label: POLICY_LABELS[p] }));

interface SshTargetSectionProps {
  form: EnvironmentFormApi;
  /** The credentials to pick from, "None" first. */
  credentialOptions: { value: string; label: string }[];
  /** Open the dialog that stores a new credential. */
  onNewCredential: () => void;
}

/** Where the environment's commands run: host, port, host-key policy, credential, user. */
export default function SshTargetSection({
  form,
  credentialOptions,
  onNewCredential,
}: SshTargetSectionProps) {
  const policy = form.watch("hostKeyPolicy");
  return (
    <FormSection title="SSH target">
      <Stack direction={{ xs: "column", sm: "row" }} spacing={2}>
        <TextField label="Host" fullWidth {...fieldProps(form, "host")} />
        <TextField
          label="Port"
          inputMode="numeric"
          sx={{ maxWidth: { sm: 140 } }}
          {...fieldProps(form, "port")}
        />
      </Stack>
      <TextField label="Domain" fullWidth {...fieldProps(form, "domain")} />
      <SelectField
        control={form.control}
        name="hostKeyPolicy"
        label="Host-key policy"
        options={POLICY_OPTIONS}
      />
      {policy === "off" && (
        <Alert severity="warning">
          Insecure: with the host-key check off, anyone who can intercept the connection can
          impersonate the host and receive the credential.
        </Alert>
      )}
      {policy === "pin" && (
        <TextField
          label="Host key"
          multiline
          minRows={2}
          fullWidth
          {...fieldProps(form, "hostKey", "The host's public key, e.g. ssh-ed25519 AAAA…")}
        />
      )}
      <SelectField
        control={form.control}
        name="keyId"
        label="Credential"
        options={credentialOptions}
        helperText="Manage keys and passwords on the Credentials page"
        action={{ label: "New credential…", onSelect: onNewCredential }}
      />
      <TextField
        label="SSH username"
        fullWidth
        {...fieldProps(form, "sshUsername", "Leave empty to use the credential's")}
      />
    </FormSection>
  );
}
