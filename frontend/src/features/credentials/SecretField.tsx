import { TextField, type TextFieldProps } from "@mui/material";

import PasswordField from "../../components/PasswordField";
import type { CredentialKind } from "./queries";

type SecretFieldProps = Omit<TextFieldProps, "type" | "slotProps" | "multiline"> & {
  kind: CredentialKind;
};

/** A private key in a monospace textarea, or a password in a masked field. */
export default function SecretField({ kind, ...props }: SecretFieldProps) {
  if (kind === "password") return <PasswordField autoComplete="new-password" {...props} />;
  return (
    <TextField
      {...props}
      multiline
      minRows={4}
      maxRows={10}
      placeholder="-----BEGIN OPENSSH PRIVATE KEY-----"
      slotProps={{ htmlInput: { spellCheck: false, style: { fontFamily: "monospace" } } }}
    />
  );
}
