// The shapes of the pieces a page hands to a feature when that feature shows something of
// another domain (a picker of environments, a user, a scope's chips): features never import
// each other, so routes/slots.ts fills these in and the page passes them down.
import type { ComponentType } from "react";

/** A picker of one environment by name; the value is its id, or null for none. */
export interface EnvironmentPickerProps {
  value: string | null;
  onChange: (id: string | null) => void;
}

/** A picker of one user by name; the value is their id, or null for none. */
export interface UserPickerProps {
  value: string | null;
  /** The name to show for value until the list has it (from the entries on screen). */
  valueLabel: string | null;
  onChange: (id: string | null) => void;
}

/** The filters of a list that pick an environment or a user. */
export interface FilterPickers {
  EnvironmentPicker: ComponentType<EnvironmentPickerProps>;
  UserPicker: ComponentType<UserPickerProps>;
}

/** Which environments something is about: some by id, and/or those with some tags. */
export interface Scope {
  environmentIds?: string[];
  tags?: string[];
}

/** A picker of any number of values (environment ids, tags) in a form. */
export interface MultiPickerProps {
  label?: string;
  value: string[];
  onChange: (values: string[]) => void;
  helperText?: string;
  error?: boolean;
}

/** How a scope is shown (chips) and picked (environments by name, tags). */
export interface ScopeWidgets {
  ScopeChips: ComponentType<{ scope: Scope }>;
  EnvironmentsPicker: ComponentType<MultiPickerProps>;
  TagsPicker: ComponentType<MultiPickerProps>;
}
