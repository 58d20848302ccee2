import { TextField } from "@mui/material";

import SwitchField from "../../components/SwitchField";
import { fieldProps } from "../../lib/fieldProps";
import type { EnvironmentFormApi } from "./environmentForm";
import FormSection from "./FormSection";

/** The environment form's basics: name, description, URL, tags, secret names and protection. */
export default function BasicsSection({ form }: { form: EnvironmentFormApi }) {
  return (
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
        {...fieldProps(form, "environmentURL", "Where people open the application", {
          // A path endpoint is joined to it: its check changes with it.
          deps: ["hcEndpoint"],
        })}
      />
      <TextField
        label="Tags"
        fullWidth
        {...fieldProps(form, "tags", "Separated by commas, e.g. prod, eu-west")}
      />
      <TextField
        label="Secret names"
        fullWidth
        {...fieldProps(
          form,
          "secretNames",
          "Headers, query parameters and body or metadata fields to keep secret besides those " +
            "that look secret (password, token, key…), separated by commas",
        )}
      />
      <SwitchField control={form.control} name="protected" label="Protected" />
    </FormSection>
  );
}
