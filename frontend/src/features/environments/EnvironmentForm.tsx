import { zodResolver } from "@hookform/resolvers/zod";
import { Alert, Box, Button, Stack, TextField } from "@mui/material";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useForm } from "react-hook-form";

import { fieldProps } from "../../lib/fieldProps";
import { useServerErrors } from "../../lib/useServerErrors";
import CreateCredentialDialog from "../credentials/CreateCredentialDialog";
import type { Credential } from "../credentials/queries";
import TestHealthCheckButton from "../health/TestHealthCheckButton";
import {
  type EnvironmentFormValues,
  environmentSchema,
  HOST_KEY_POLICIES,
  HTTP_METHODS,
  SERVER_FIELDS,
  toConfig,
  toFormValues,
  VERSION_PLACEHOLDER,
} from "./environmentForm";
import FormSection from "./FormSection";
import HeadersEditor from "./HeadersEditor";
import {
  createEnvironment,
  type Environment,
  type EnvironmentConfig,
  environmentQueries,
  replaceEnvironment,
} from "./queries";
import SelectField from "./SelectField";
import SwitchField from "../../components/SwitchField";

/** A stored credential, as the picker offers it. */
export interface CredentialOption {
  id: string;
  name: string;
  type: "key" | "password";
}

interface EnvironmentFormProps {
  /** The environment to edit; null to create one. */
  environment: Environment | null;
  credentials: CredentialOption[];
  onSaved: (environment: Environment) => void;
  onCancel: () => void;
}

const METHOD_OPTIONS = HTTP_METHODS.map((m) => ({ value: m, label: m }));
const COMMAND_TYPES = [
  { value: "ssh", label: "SSH command" },
  { value: "http", label: "HTTP request" },
];
const POLICY_LABELS: Record<(typeof HOST_KEY_POLICIES)[number], string> = {
  tofu: "Trust on first use",
  pin: "Pinned host key",
  off: "Off (insecure: the host key is not checked)",
};
const HEALTH_CHECK_FIELDS = [
  "hcEndpoint",
  "hcMethod",
  "hcInterval",
  "hcTimeout",
  "hcFailureThreshold",
  "hcHeaders",
  "hcBody",
  "hcStatusCodes",
  "hcJsonRegex",
  "hcJsonPath",
  "hcJsonPathValue",
  "hcVersionJsonPath",
] as const;
const VALIDATION_OPTIONS = [
  { value: "none", label: "Any 2xx answer" },
  { value: "statusCode", label: "The status code is one of" },
  { value: "jsonRegex", label: "Body matches a regular expression" },
  { value: "jsonPath", label: "A JSONPath value" },
];

/** Create an environment, or edit one: basics, SSH target, health check, restart, upgrade. */
export default function EnvironmentForm({
  environment,
  credentials: listed,
  onSaved,
  onCancel,
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

  const watch = form.watch;
  const policy = watch("hostKeyPolicy");
  const validationType = watch("hcValidationType");
  const jsonPathMode = watch("hcJsonPathMode");
  const restartType = watch("restartType");
  const upgradeType = watch("upgradeType");
  const keyId = watch("keyId");
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

  // The Test button checks only the health-check fields, then sends what they say.
  const currentHealthCheck = async () => {
    const valid = await form.trigger(HEALTH_CHECK_FIELDS);
    if (!valid) return null;
    return toConfig(form.getValues(), environment).healthCheck ?? null;
  };

  const credentialCreated = ({ id, name, type }: Credential) => {
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

          <FormSection title="Basics">
            <TextField label="Name" autoComplete="off" fullWidth {...fieldProps(form, "name")} />
            <TextField
              label="Description"
              multiline
              minRows={2}
              fullWidth
              {...fieldProps(form, "description")}
            />
            <TextField
              label="Environment URL"
              fullWidth
              {...fieldProps(form, "environmentURL", "Where people open the application")}
            />
            <TextField
              label="Tags"
              fullWidth
              {...fieldProps(form, "tags", "Separated by commas, e.g. prod, eu-west")}
            />
            <SwitchField control={form.control} name="protected" label="Protected" />
          </FormSection>

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
              options={HOST_KEY_POLICIES.map((p) => ({ value: p, label: POLICY_LABELS[p] }))}
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
              action={{ label: "New credential…", onSelect: () => setCreatingCredential(true) }}
            />
            <TextField
              label="SSH username"
              fullWidth
              {...fieldProps(form, "sshUsername", "Leave empty to use the credential's")}
            />
          </FormSection>

          <FormSection title="Health check">
            <SwitchField control={form.control} name="hcEnabled" label="Check health" />
            <Stack direction={{ xs: "column", sm: "row" }} spacing={2}>
              <Box sx={{ width: { sm: 140 }, flexShrink: 0 }}>
                <SelectField
                  control={form.control}
                  name="hcMethod"
                  label="Method"
                  options={METHOD_OPTIONS}
                />
              </Box>
              <TextField label="Endpoint" fullWidth {...fieldProps(form, "hcEndpoint")} />
            </Stack>
            <Stack direction={{ xs: "column", sm: "row" }} spacing={2}>
              <TextField
                label="Interval (s)"
                inputMode="numeric"
                fullWidth
                {...fieldProps(form, "hcInterval")}
              />
              <TextField
                label="Timeout (s)"
                inputMode="numeric"
                fullWidth
                {...fieldProps(form, "hcTimeout")}
              />
              <TextField
                label="Failures before unhealthy"
                inputMode="numeric"
                fullWidth
                {...fieldProps(form, "hcFailureThreshold")}
              />
            </Stack>
            <SwitchField
              control={form.control}
              name="hcTlsVerify"
              label="Verify TLS certificates"
            />
            <HeadersEditor form={form} name="hcHeaders" label="Health-check headers" />
            <TextField
              label="Health-check body (JSON)"
              multiline
              minRows={2}
              fullWidth
              {...fieldProps(form, "hcBody")}
            />
            <SelectField
              control={form.control}
              name="hcValidationType"
              label="Healthy when"
              options={VALIDATION_OPTIONS}
            />
            {validationType === "statusCode" && (
              <TextField
                label="Status codes"
                fullWidth
                {...fieldProps(form, "hcStatusCodes", "e.g. 200, 204 or 2xx")}
              />
            )}
            {validationType === "jsonRegex" && (
              <TextField
                label="Regular expression"
                fullWidth
                {...fieldProps(form, "hcJsonRegex", "Searched for in the response body")}
              />
            )}
            {validationType === "jsonPath" && (
              <Stack direction={{ xs: "column", sm: "row" }} spacing={2}>
                <TextField
                  label="JSONPath"
                  fullWidth
                  {...fieldProps(form, "hcJsonPath", "e.g. $.status")}
                />
                <Box sx={{ width: { sm: 200 }, flexShrink: 0 }}>
                  <SelectField
                    control={form.control}
                    name="hcJsonPathMode"
                    label="Comparison"
                    options={[
                      { value: "equals", label: "Equals" },
                      { value: "matches", label: "Matches regex" },
                    ]}
                  />
                </Box>
                <TextField
                  label={jsonPathMode === "equals" ? "Expected value" : "Pattern"}
                  fullWidth
                  {...fieldProps(
                    form,
                    "hcJsonPathValue",
                    jsonPathMode === "equals" ? 'JSON ("ok", 1, true) or plain text' : undefined,
                  )}
                />
              </Stack>
            )}
            <TextField
              label="Version JSONPath"
              fullWidth
              {...fieldProps(
                form,
                "hcVersionJsonPath",
                "Reads the running version, e.g. $.version",
              )}
            />
            <TestHealthCheckButton
              getHealthCheck={currentHealthCheck}
              environmentId={environment?.id ?? null}
            />
          </FormSection>

          <FormSection title="Restart">
            <SwitchField control={form.control} name="restartEnabled" label="Allow restarts" />
            <SelectField
              control={form.control}
              name="restartType"
              label="Restart by"
              options={COMMAND_TYPES}
            />
            {restartType === "ssh" ? (
              <TextField
                label="Restart command"
                multiline
                minRows={2}
                fullWidth
                {...fieldProps(form, "restartCommand", "Run on the target over SSH")}
              />
            ) : (
              <>
                <Stack direction={{ xs: "column", sm: "row" }} spacing={2}>
                  <Box sx={{ width: { sm: 140 }, flexShrink: 0 }}>
                    <SelectField
                      control={form.control}
                      name="restartMethod"
                      label="Method"
                      options={METHOD_OPTIONS}
                    />
                  </Box>
                  <TextField label="Restart URL" fullWidth {...fieldProps(form, "restartUrl")} />
                </Stack>
                <HeadersEditor form={form} name="restartHeaders" label="Restart headers" />
                <TextField
                  label="Restart body (JSON)"
                  multiline
                  minRows={2}
                  fullWidth
                  {...fieldProps(form, "restartBody")}
                />
              </>
            )}
            <TextField
              label="Restart timeout (s)"
              inputMode="numeric"
              fullWidth
              {...fieldProps(form, "restartTimeout")}
            />
          </FormSection>

          <FormSection title="Upgrade">
            <SwitchField control={form.control} name="upgradeEnabled" label="Allow upgrades" />
            <Stack direction={{ xs: "column", sm: "row" }} spacing={2}>
              <Box sx={{ width: { sm: 140 }, flexShrink: 0 }}>
                <SelectField
                  control={form.control}
                  name="versionListMethod"
                  label="Method"
                  options={METHOD_OPTIONS}
                />
              </Box>
              <TextField
                label="Version list URL"
                fullWidth
                {...fieldProps(form, "versionListURL", "Answers the versions one can upgrade to")}
              />
            </Stack>
            <HeadersEditor form={form} name="versionListHeaders" label="Version list headers" />
            <TextField
              label="Version list body (JSON)"
              multiline
              minRows={2}
              fullWidth
              {...fieldProps(form, "versionListBody")}
            />
            <TextField
              label="Versions JSONPath"
              fullWidth
              {...fieldProps(
                form,
                "jsonPathResponse",
                "Picks the versions from the answer, e.g. $.versions[*]",
              )}
            />
            <SelectField
              control={form.control}
              name="upgradeType"
              label="Upgrade by"
              options={COMMAND_TYPES}
            />
            {upgradeType === "ssh" ? (
              <TextField
                label="Upgrade command"
                multiline
                minRows={2}
                fullWidth
                {...fieldProps(form, "upgradeCommand", `Must contain ${VERSION_PLACEHOLDER}`)}
              />
            ) : (
              <>
                <Stack direction={{ xs: "column", sm: "row" }} spacing={2}>
                  <Box sx={{ width: { sm: 140 }, flexShrink: 0 }}>
                    <SelectField
                      control={form.control}
                      name="upgradeMethod"
                      label="Method"
                      options={METHOD_OPTIONS}
                    />
                  </Box>
                  <TextField
                    label="Upgrade URL"
                    fullWidth
                    {...fieldProps(
                      form,
                      "upgradeUrl",
                      `The URL or the body must contain ${VERSION_PLACEHOLDER}`,
                    )}
                  />
                </Stack>
                <HeadersEditor form={form} name="upgradeHeaders" label="Upgrade headers" />
                <TextField
                  label="Upgrade body (JSON)"
                  multiline
                  minRows={2}
                  fullWidth
                  {...fieldProps(form, "upgradeBody")}
                />
              </>
            )}
            <TextField
              label="Verify timeout (s)"
              inputMode="numeric"
              fullWidth
              {...fieldProps(
                form,
                "verifyTimeout",
                "How long the new version has to become healthy",
              )}
            />
            <SwitchField
              control={form.control}
              name="rollbackOnFailure"
              label="Roll back on failure"
            />
          </FormSection>

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
