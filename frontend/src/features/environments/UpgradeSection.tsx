import { TextField } from "@mui/material";

import SwitchField from "../../components/SwitchField";
import { fieldProps } from "../../lib/fieldProps";
import CommandFields from "./CommandFields";
import { type EnvironmentFormApi, VERSION_PLACEHOLDER } from "./environmentForm";
import FormSection from "./FormSection";
import HeadersEditor from "./HeadersEditor";
import MethodUrlFields from "./MethodUrlFields";

/**
 * Whether and how the environment upgrades: where the versions to upgrade to are listed, the
 * command or request that upgrades, and how the new version is verified.
 */
export default function UpgradeSection({ form }: { form: EnvironmentFormApi }) {
  return (
    <FormSection title="Upgrade">
      <SwitchField control={form.control} name="upgradeEnabled" label="Allow upgrades" />
      <MethodUrlFields form={form} method="versionListMethod">
        <TextField
          label="Version list URL"
          fullWidth
          {...fieldProps(form, "versionListURL", "Answers the versions one can upgrade to")}
        />
      </MethodUrlFields>
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
      <CommandFields
        form={form}
        operation="upgrade"
        commandHelp={`Must contain ${VERSION_PLACEHOLDER}`}
        urlHelp={`The URL or the body must contain ${VERSION_PLACEHOLDER}`}
      />
      <TextField
        label="Verify timeout (s)"
        inputMode="numeric"
        fullWidth
        {...fieldProps(form, "verifyTimeout", "How long the new version has to become healthy")}
      />
      <SwitchField control={form.control} name="rollbackOnFailure" label="Roll back on failure" />
    </FormSection>
  );
}
