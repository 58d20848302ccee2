import type { FieldValues, Path, RegisterOptions, UseFormReturn } from "react-hook-form";

/** Wire a MUI TextField to a react-hook-form field: value, ref, error state and message. */
export function fieldProps<T extends FieldValues>(
  form: UseFormReturn<T>,
  name: Path<T>,
  help?: string,
  options?: RegisterOptions<T, Path<T>>,
) {
  const { ref, ...rest } = form.register(name, options);
  const message = form.formState.errors[name]?.message;
  return {
    ...rest,
    inputRef: ref,
    error: message !== undefined,
    helperText: typeof message === "string" ? message : help,
  };
}
