/** The versions the server accepts (services/command_templates.py validate_version). */
export const VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._+~-]{0,127}$/;

/** Why a typed version would be refused, or null when it is acceptable. */
export function versionProblem(version: string): string | null {
  if (version === "") return "Enter a version";
  if (version.length > 128) return "At most 128 characters";
  if (!VERSION_PATTERN.test(version)) {
    return "Letters, digits and . _ + ~ - only, starting with a letter or a digit";
  }
  return null;
}

/**
 * How many listed versions are newer than current: its place in the newest-first list, or
 * null when it is not listed (or not known).
 */
export function behindBy(current: string | null | undefined, available: string[]): number | null {
  if (!current) return null;
  const index = available.indexOf(current);
  return index < 0 ? null : index;
}
