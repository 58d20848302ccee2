import { useCallback, useState } from "react";
import type { FieldValues, Path, UseFormReturn } from "react-hook-form";

import { errorMessage, fieldProblems } from "./serverErrors";

/** The field names for useServerErrors where the API and the form use the same words. */
export function sameFields<const K extends string>(...names: K[]): { [N in K]: N } {
  return Object.fromEntries(names.map((name) => [name, name])) as { [N in K]: N };
}

/**
 * Show a failed request's problems where they belong: next to the field the server named
 * (mapped from the API's field name to the form's), or in one message for the whole form.
 */
export function useServerErrors<T extends FieldValues>(
  form: UseFormReturn<T>,
  fields: Partial<Record<string, Path<T>>>,
) {
  const [formError, setFormError] = useState<string | null>(null);
  const [advice, setAdvice] = useState<Partial<Record<string, string[]>>>({});
  const { setError } = form;

  const report = useCallback(
    (error: unknown) => {
      const placed: Partial<Record<string, string[]>> = {};
      let unplaced = false;
      for (const problem of fieldProblems(error)) {
        const name = fields[problem.field];
        if (!name) {
          unplaced = true;
          continue;
        }
        setError(name, { type: "server", message: problem.message }, { shouldFocus: true });
        placed[name] = problem.advice;
      }
      setAdvice(placed);
      setFormError(unplaced || Object.keys(placed).length === 0 ? errorMessage(error) : null);
    },
    [fields, setError],
  );

  const clear = useCallback(() => {
    setFormError(null);
    setAdvice({});
  }, []);

  /** The server's advice for a field, while its error is still the server's. */
  const adviceFor = (name: Path<T>): string[] =>
    form.formState.errors[name]?.type === "server" ? (advice[name] ?? []) : [];

  return { formError, report, clear, adviceFor };
}
