import { FormControlLabel, Switch } from "@mui/material";
import { type Control, Controller, type FieldValues, type Path } from "react-hook-form";

interface SwitchFieldProps<T extends FieldValues> {
  control: Control<T>;
  name: Path<T>;
  label: string;
}

/** A react-hook-form boolean as a labelled switch. */
export default function SwitchField<T extends FieldValues>({
  control,
  name,
  label,
}: SwitchFieldProps<T>) {
  return (
    <Controller
      control={control}
      name={name}
      render={({ field: { ref, value, onChange, ...field } }) => (
        <FormControlLabel
          label={label}
          control={
            <Switch
              inputRef={ref}
              checked={Boolean(value)}
              onChange={(event) => onChange(event.target.checked)}
              {...field}
            />
          }
        />
      )}
    />
  );
}
