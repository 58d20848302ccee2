import { TextField } from "@mui/material";
import { useWatch } from "react-hook-form";

import SwitchField from "../../components/SwitchField";
import { fieldProps } from "../../lib/fieldProps";
import { type EnvironmentFormApi, RESERVATION_POLICIES } from "./environmentForm";
import FormSection from "./FormSection";
import SelectField from "./SelectField";

type ReservationPolicy = (typeof RESERVATION_POLICIES)[number];

const POLICY_LABELS: Record<ReservationPolicy, string> = {
  none: "None",
  advisory: "Advisory",
  exclusive: "Exclusive",
};

const POLICY_HELP: Record<ReservationPolicy, string> = {
  none: "Not reserved: nobody holds it, anyone may operate it",
  advisory: "Reservations show who holds it; others' restarts and upgrades run with a warning",
  exclusive: "While reserved, only the holder restarts or upgrades it (admins may force)",
};

const POLICY_OPTIONS = RESERVATION_POLICIES.map((value) => ({
  value,
  label: POLICY_LABELS[value],
}));

/**
 * The environment form's basics: name, description, URL, tags, secret names, protection and
 * what a reservation of it means.
 */
export default function BasicsSection({ form }: { form: EnvironmentFormApi }) {
  const policy = useWatch({ control: form.control, name: "reservationPolicy" });
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
      <SelectField
        control={form.control}
        name="reservationPolicy"
        label="Reservations"
        options={POLICY_OPTIONS}
        helperText={POLICY_HELP[policy]}
      />
    </FormSection>
  );
}
