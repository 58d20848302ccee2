import { z } from "zod";

// The server's policy (services/passwords.py), checked here too so the obvious misses are
// caught before a round trip; the strength check (zxcvbn) stays on the server.
export const PASSWORD_MIN_BYTES = 12;
export const PASSWORD_MAX_BYTES = 72;

export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{2,49}$/;

function bytes(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** A new password: within bcrypt's byte limits. */
export const newPassword = z
  .string()
  .min(1, "Enter a password")
  .refine((p) => bytes(p) >= PASSWORD_MIN_BYTES, {
    message: `Use at least ${PASSWORD_MIN_BYTES} characters`,
  })
  .refine((p) => bytes(p) <= PASSWORD_MAX_BYTES, {
    message: `Use at most ${PASSWORD_MAX_BYTES} bytes (accented letters and emoji count as 2–4)`,
  });

export const username = z
  .string()
  .trim()
  .regex(
    USERNAME_PATTERN,
    "3–50 letters, digits, dots, dashes or underscores, starting with a letter or digit",
  );

/** An optional email: empty means none. */
export const optionalEmail = z
  .string()
  .trim()
  .refine((e) => e === "" || z.email().safeParse(e).success, "Enter a valid email address");

/** Tell whether the password contains the username (which the server refuses). */
export function containsUsername(password: string, name: string): boolean {
  return name.length > 0 && password.toLowerCase().includes(name.toLowerCase());
}
