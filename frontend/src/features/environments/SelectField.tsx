import { MenuItem, TextField } from "@mui/material";
import { type Control, Controller, type FieldValues, type Path } from "react-hook-form";

interface SelectFieldProps<T extends FieldValues> {
  control: Control<T>;
  name: Path<T>;
  label: string;
  options: readonly { value: string; label: string }[];
  helperText?: string;
}

/** A react-hook-form field as a select, with its error under it. */
export default function SelectField<T extends FieldValues>({
  control,
  name,
  label,
  options,
  helperText,
}: SelectFieldProps<T>) {
  return (
    <Controller
      control={control}
      name={name}
      render={({ field: { ref, ...field }, fieldState }) => (
        <TextField
          select
          label={label}
          inputRef={ref}
          fullWidth
          error={fieldState.error !== undefined}
          helperText={fieldState.error?.message ?? helperText}
          {...field}
        >
          {options.map((option) => (
            <MenuItem key={option.value} value={option.value}>
              {option.label}
            </MenuItem>
          ))}
        </TextField>
      )}
    />
  );
}
