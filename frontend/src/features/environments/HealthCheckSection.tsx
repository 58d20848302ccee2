import { Box, Stack, TextField } from "@mui/material";

import SwitchField from "../../components/SwitchField";
import { fieldProps } from "../../lib/fieldProps";
import { type EnvironmentFormApi, resolveEndpoint, toConfig } from "./environmentForm";
import FormSection from "./FormSection";
import HeadersEditor from "./HeadersEditor";
import MethodUrlFields from "./MethodUrlFields";
import type { Environment } from "./queries";
import SelectField from "./SelectField";
import type { EnvironmentFormSlots } from "./slots";

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
const COMPARISON_OPTIONS = [
  { value: "equals", label: "Equals" },
  { value: "matches", label: "Matches regex" },
];

interface HealthCheckSectionProps {
  form: EnvironmentFormApi;
  /** The environment being edited, null for a new one. */
  environment: Environment | null;
  /** The button that tries the health check as edited (from the page). */
  TestHealthCheckButton: EnvironmentFormSlots["TestHealthCheckButton"];
}

/** How the environment's health is checked: the request, how often, and what healthy means. */
export default function HealthCheckSection({
  form,
  environment,
  TestHealthCheckButton,
}: HealthCheckSectionProps) {
  const validationType = form.watch("hcValidationType");
  const jsonPathMode = form.watch("hcJsonPathMode");
  const resolved = resolveEndpoint(
    form.watch("hcEndpoint").trim(),
    form.watch("environmentURL").trim(),
  );
  const endpointHelp =
    form.watch("hcEndpoint").trim() !== "" && resolved !== null
      ? `Checks ${resolved}`
      : "A path such as /health (joined to the environment URL), or a full URL";

  // The Test button checks only the health-check fields (and the URL a path is joined to),
  // then sends what they say.
  const currentHealthCheck = async () => {
    const valid = await form.trigger([...HEALTH_CHECK_FIELDS, "environmentURL"]);
    if (!valid) return null;
    const config = toConfig(form.getValues(), environment);
    if (!config.healthCheck) return null;
    return { healthCheck: config.healthCheck, environmentURL: config.environmentURL ?? null };
  };

  return (
    <FormSection title="Health check">
      <SwitchField control={form.control} name="hcEnabled" label="Check health" />
      <MethodUrlFields form={form} method="hcMethod">
        <TextField label="Endpoint" fullWidth {...fieldProps(form, "hcEndpoint", endpointHelp)} />
      </MethodUrlFields>
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
      <SwitchField control={form.control} name="hcTlsVerify" label="Verify TLS certificates" />
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
              options={COMPARISON_OPTIONS}
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
        {...fieldProps(form, "hcVersionJsonPath", "Reads the running version, e.g. $.version")}
      />
      <TestHealthCheckButton
        getHealthCheck={currentHealthCheck}
        environmentId={environment?.id ?? null}
      />
    </FormSection>
  );
}
