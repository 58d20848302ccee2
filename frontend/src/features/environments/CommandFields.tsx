import { TextField } from "@mui/material";

import { fieldProps } from "../../lib/fieldProps";
import type { EnvironmentFormApi } from "./environmentForm";
import HeadersEditor from "./HeadersEditor";
import MethodUrlFields from "./MethodUrlFields";
import SelectField from "./SelectField";

const COMMAND_TYPES = [
  { value: "ssh", label: "SSH command" },
  { value: "http", label: "HTTP request" },
];
const LABELS = { restart: "Restart", upgrade: "Upgrade" } as const;

interface CommandFieldsProps {
  form: EnvironmentFormApi;
  /** The operation whose command this is: its fields are named after it (restartUrl…). */
  operation: keyof typeof LABELS;
  /** Help under the SSH command. */
  commandHelp: string;
  /** Help under the HTTP request's URL. */
  urlHelp?: string;
}

/** How an operation runs: a command over SSH, or an HTTP request (method, URL, headers, body). */
export default function CommandFields({
  form,
  operation,
  commandHelp,
  urlHelp,
}: CommandFieldsProps) {
  const label = LABELS[operation];
  const type = form.watch(`${operation}Type`);
  return (
    <>
      <SelectField
        control={form.control}
        name={`${operation}Type`}
        label={`${label} by`}
        options={COMMAND_TYPES}
      />
      {type === "ssh" ? (
        <TextField
          label={`${label} command`}
          multiline
          minRows={2}
          fullWidth
          {...fieldProps(form, `${operation}Command`, commandHelp)}
        />
      ) : (
        <>
          <MethodUrlFields form={form} method={`${operation}Method`}>
            <TextField
              label={`${label} URL`}
              fullWidth
              {...fieldProps(form, `${operation}Url`, urlHelp)}
            />
          </MethodUrlFields>
          <HeadersEditor form={form} name={`${operation}Headers`} label={`${label} headers`} />
          <TextField
            label={`${label} body (JSON)`}
            multiline
            minRows={2}
            fullWidth
            {...fieldProps(form, `${operation}Body`)}
          />
        </>
      )}
    </>
  );
}
