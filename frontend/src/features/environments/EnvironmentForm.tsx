import { zodResolver } from "@hookform/resolvers/zod";
import { Alert, Box, Button, Stack } from "@mui/material";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useForm } from "react-hook-form";

import { useServerErrors } from "../../lib/useServerErrors";
import BasicsSection from "./BasicsSection";
import {
  type EnvironmentFormValues,
  environmentSchema,
  SERVER_FIELDS,
  toConfig,
  toFormValues,
} from "./environmentForm";
import HealthCheckSection from "./HealthCheckSection";
import {
  createEnvironment,
  type Environment,
  type EnvironmentConfig,
  environmentQueries,
  replaceEnvironment,
} from "./queries";
import RestartSection from "./RestartSection";
import type { CredentialOption, EnvironmentFormSlots } from "./slots";
import SshTargetSection from "./SshTargetSection";
import UpgradeSection from "./UpgradeSection";

interface EnvironmentFormProps {
  /** The environment to edit; null to create one. */
  environment: Environment | null;
  credentials: CredentialOption[];
  onSaved: (environment: Environment) => void;
  onCancel: () => void;
  /** What the form shows of credentials and health (from the page). */
  slots: EnvironmentFormSlots;
}

/** Create an environment, or edit one: basics, SSH target, health check, restart, upgrade. */
export default function EnvironmentForm({
  environment,
  credentials: listed,
  onSaved,
  onCancel,
  slots: { CreateCredentialDialog, TestHealthCheckButton },
}: EnvironmentFormProps) {
  const queryClient = useQueryClient();
  const [creatingCredential, setCreatingCredential] = useState(false);
  // Credentials created from the picker, until the listed ones include them (the list is capped).
  const [created, setCreated] = useState<CredentialOption[]>([]);
  const credentials = [...listed, ...created.filter((c) => !listed.some((l) => l.id === c.id))];
  const form = useForm<EnvironmentFormValues>({
    resolver: zodResolver(environmentSchema),
    defaultValues: toFormValues(environment),
    // JSON bodies, URLs and the rest are checked as they are typed.
    mode: "onChange",
  });
  const server = useServerErrors(form, SERVER_FIELDS);
  const save = useMutation({
    mutationFn: (config: EnvironmentConfig) =>
      environment ? replaceEnvironment(environment.id, config) : createEnvironment(config),
    onSuccess: async (saved) => {
      queryClient.setQueryData(environmentQueries.detail(saved.id).queryKey, saved);
      await queryClient.invalidateQueries({
        queryKey: environmentQueries.all(),
        predicate: (query) => query.queryKey[1] !== "detail",
      });
      onSaved(saved);
    },
    onError: server.report,
  });

  const submit = form.handleSubmit((values) => {
    server.clear();
    // The credential's kind is the chosen credential's.
    const chosen = credentials.find((c) => c.id === values.keyId);
    save.mutate(
      toConfig({ ...values, credentialType: chosen?.type ?? values.credentialType }, environment),
    );
  });

  const keyId = form.watch("keyId");
  const credentialOptions = [
    { value: "", label: "None" },
    ...credentials.map((c) => ({
      value: c.id,
      label: `${c.name} (${c.type === "key" ? "SSH key" : "password"})`,
    })),
  ];
  // A credential the picker's page does not list (more than it loads) stays selectable.
  if (keyId && !credentials.some((c) => c.id === keyId)) {
    credentialOptions.push({ value: keyId, label: `Stored credential (${keyId})` });
  }

  const credentialCreated = ({ id, name, type }: CredentialOption) => {
    setCreatingCredential(false);
    setCreated((current) => [...current, { id, name, type }]);
    form.setValue("keyId", id, { shouldDirty: true, shouldValidate: true });
  };

  return (
    <>
      <Box
        component="form"
        noValidate
        onSubmit={submit}
        aria-label={environment ? `Edit ${environment.name}` : "New environment"}
      >
        <Stack spacing={3}>
          {server.formError && <Alert severity="error">{server.formError}</Alert>}
          <BasicsSection form={form} />
          <SshTargetSection
            form={form}
            credentialOptions={credentialOptions}
            onNewCredential={() => setCreatingCredential(true)}
          />
          <HealthCheckSection
            form={form}
            environment={environment}
            TestHealthCheckButton={TestHealthCheckButton}
          />
          <RestartSection form={form} />
          <UpgradeSection form={form} />
          <Stack direction="row" spacing={2} justifyContent="flex-end">
            <Button onClick={onCancel} disabled={save.isPending}>
              Cancel
            </Button>
            <Button type="submit" variant="contained" loading={save.isPending}>
              {environment ? "Save changes" : "Create environment"}
            </Button>
          </Stack>
        </Stack>
      </Box>
      {/* Outside the form: a dialog's submit would bubble (through the portal) to the form's. */}
      {creatingCredential && (
        <CreateCredentialDialog
          onClose={() => setCreatingCredential(false)}
          onCreated={credentialCreated}
        />
      )}
    </>
  );
}
