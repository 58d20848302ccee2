import { FormControl, FormControlLabel, FormLabel, Radio, RadioGroup } from "@mui/material";
import { useId } from "react";
import { type Control, Controller, type FieldValues, type Path } from "react-hook-form";

interface RadioFieldProps<T extends FieldValues, K extends string> {
  control: Control<T>;
  name: Path<T>;
  label: string;
  /** The values to choose from, in order, and what each is called. */
  options: readonly K[];
  labels: Record<K, string>;
  row?: boolean;
}

/** One choice among a few, as radio buttons named by a label. */
export default function RadioField<T extends FieldValues, K extends string>({
  control,
  name,
  label,
  options,
  labels,
  row,
}: RadioFieldProps<T, K>) {
  const labelId = useId();
  return (
    <Controller
      control={control}
      name={name}
      render={({ field: { ref, ...field } }) => (
        <FormControl>
          <FormLabel id={labelId}>{label}</FormLabel>
          <RadioGroup row={row} aria-labelledby={labelId} {...field}>
            {options.map((option) => (
              <FormControlLabel
                key={option}
                value={option}
                control={<Radio inputRef={option === field.value ? ref : undefined} />}
                label={labels[option]}
              />
            ))}
          </RadioGroup>
        </FormControl>
      )}
    />
  );
}
