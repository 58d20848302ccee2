import { TextField } from "@mui/material";

import SwitchField from "../../components/SwitchField";
import { fieldProps } from "../../lib/fieldProps";
import CommandFields from "./CommandFields";
import type { EnvironmentFormApi } from "./environmentForm";
import FormSection from "./FormSection";

/** Whether and how the environment restarts: an SSH command or an HTTP request. */
export default function RestartSection({ form }: { form: EnvironmentFormApi }) {
  return (
    <FormSection title="Restart">
      <SwitchField control={form.control} name="restartEnabled" label="Allow restarts" />
      <CommandFields form={form} operation="restart" commandHelp="Run on the target over SSH" />
      <TextField
        label="Restart timeout (s)"
        inputMode="numeric"
        fullWidth
        {...fieldProps(form, "restartTimeout")}
      />
    </FormSection>
  );
}
