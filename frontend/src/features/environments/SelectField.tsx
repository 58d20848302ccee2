import { MenuItem, TextField } from "@mui/material";
import { type Control, Controller, type FieldValues, type Path } from "react-hook-form";

interface SelectFieldProps<T extends FieldValues> {
  control: Control<T>;
  name: Path<T>;
  label: string;
  options: readonly { value: string; label: string }[];
  helperText?: string;
  /** A last item that runs an action instead of being chosen, e.g. "New credential…". */
  action?: { label: string; onSelect: () => void };
}

/** The action item's value: never a real option's, never stored in the form. */
const ACTION_VALUE = "\u0000action";

/** A react-hook-form field as a select, with its error under it. */
export default function SelectField<T extends FieldValues>({
  control,
  name,
  label,
  options,
  helperText,
  action,
}: SelectFieldProps<T>) {
  return (
    <Controller
      control={control}
      name={name}
      render={({ field: { ref, onChange, ...field }, fieldState }) => (
        <TextField
          select
          label={label}
          inputRef={ref}
          fullWidth
          error={fieldState.error !== undefined}
          helperText={fieldState.error?.message ?? helperText}
          {...field}
          onChange={(event) => {
            if (action && event.target.value === ACTION_VALUE) action.onSelect();
            else onChange(event);
          }}
        >
          {options.map((option) => (
            <MenuItem key={option.value} value={option.value}>
              {option.label}
            </MenuItem>
          ))}
          {action && (
            <MenuItem value={ACTION_VALUE} sx={{ borderTop: 1, borderColor: "divider" }}>
              {action.label}
            </MenuItem>
          )}
        </TextField>
      )}
    />
  );
}
