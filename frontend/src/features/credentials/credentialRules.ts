import { z } from "zod";

// The server's rules (domain/credential.py and the credentials routes), checked here too.
export const CREDENTIAL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$/;
export const SECRET_MAX = 16384;
export const PASSPHRASE_MAX = 1024;

export const credentialName = z
  .string()
  .trim()
  .regex(
    CREDENTIAL_NAME_PATTERN,
    "1–100 letters, digits, spaces, dots, dashes or underscores, starting with a letter or digit",
  );

export const credentialUsername = z.string().trim().max(100, "Use at most 100 characters");

export const passphrase = z
  .string()
  .max(PASSPHRASE_MAX, `Use at most ${PASSPHRASE_MAX} characters`);
