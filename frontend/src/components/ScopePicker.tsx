import { type Control, Controller } from "react-hook-form";

import type { ScopeWidgets } from "./slots";

/** The form fields a scope is picked into. */
export interface ScopeValues {
  environmentIds: string[];
  tags: string[];
}

const FIELDS = {
  environments: { name: "environmentIds", picker: "EnvironmentsPicker" },
  tags: { name: "tags", picker: "TagsPicker" },
} as const;

type PickerKind = keyof typeof FIELDS;

interface ScopePickerProps<T extends ScopeValues> {
  control: Control<T>;
  /** The pickers to show, in order. */
  pickers: readonly PickerKind[];
  /** The picker components (from the page). */
  widgets: Pick<ScopeWidgets, "EnvironmentsPicker" | "TagsPicker">;
  /** Help under each picker while its field has no error. */
  help?: Partial<Record<PickerKind, string>>;
}

/** Which environments something is about: some by name, and/or those with some tags. */
export default function ScopePicker<T extends ScopeValues>({
  control,
  pickers,
  widgets,
  help = {},
}: ScopePickerProps<T>) {
  // Every T has both fields, but react-hook-form cannot see that through a type parameter.
  const scope = control as unknown as Control<ScopeValues>;
  return pickers.map((kind) => {
    const { name, picker } = FIELDS[kind];
    const Picker = widgets[picker];
    return (
      <Controller
        key={kind}
        control={scope}
        name={name}
        render={({ field, fieldState: { error } }) => (
          <Picker
            value={field.value}
            onChange={field.onChange}
            error={error !== undefined}
            helperText={error?.message ?? help[kind]}
          />
        )}
      />
    );
  });
}
