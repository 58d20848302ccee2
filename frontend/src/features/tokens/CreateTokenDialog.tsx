import { zodResolver } from "@hookform/resolvers/zod";
import { TextField } from "@mui/material";
import { useMemo } from "react";
import { Controller, useForm } from "react-hook-form";
import { z } from "zod";

import FormDialog from "../../components/FormDialog";
import RoleSelect from "../../components/RoleSelect";
import { fieldProps } from "../../lib/fieldProps";
import { endOfDayIso, todayInputValue } from "../../lib/formatDate";
import { ROLES, type Role, rolesUpTo } from "../../lib/roles";
import { useInvalidatingMutation } from "../../lib/useInvalidatingMutation";
import { useServerErrors } from "../../lib/useServerErrors";
import { type ApiTokenCreated, createToken, tokenQueries } from "./queries";

function tokenSchema(today: string) {
  return z.object({
    name: z
      .string()
      .trim()
      .min(1, "Name the token after what will use it")
      .max(100, "At most 100 characters"),
    // "" for no expiry; input[type=date] values compare as strings.
    expiresOn: z.string().refine((day) => day === "" || day >= today, "Pick today or a later day"),
    role: z.enum(ROLES),
  });
}

type TokenValues = z.infer<ReturnType<typeof tokenSchema>>;

const SERVER_FIELDS = { name: "name", expiresAt: "expiresOn", role: "role" } as const;

interface CreateTokenDialogProps {
  /** The caller's role: the highest a token of theirs may have. */
  role: Role;
  onClose: () => void;
  onCreated: (created: ApiTokenCreated) => void;
}

/** Name a new token, and pick its expiry and role (never above the caller's). */
export default function CreateTokenDialog({ role, onClose, onCreated }: CreateTokenDialogProps) {
  const today = todayInputValue();
  const schema = useMemo(() => tokenSchema(today), [today]);
  const form = useForm<TokenValues>({
    resolver: zodResolver(schema),
    defaultValues: { name: "", expiresOn: "", role },
  });
  const server = useServerErrors(form, SERVER_FIELDS);
  const create = useInvalidatingMutation({
    mutationFn: createToken,
    // Drop the answer (it holds the secret) from the mutation cache as soon as this closes.
    gcTime: 0,
    invalidates: tokenQueries.all(),
    onSuccess: onCreated,
    onError: server.report,
  });

  const submit = form.handleSubmit(({ name, expiresOn, role: tokenRole }) => {
    server.clear();
    create.mutate({ name, role: tokenRole, expiresAt: expiresOn ? endOfDayIso(expiresOn) : null });
  });

  return (
    <FormDialog
      title="Create API token"
      submitLabel="Create token"
      onSubmit={submit}
      onClose={onClose}
      pending={create.isPending}
      error={server.formError}
    >
      <TextField
        label="Name"
        autoComplete="off"
        autoFocus
        fullWidth
        {...fieldProps(form, "name", "What will use it, e.g. “CI deploy job”")}
      />
      <TextField
        label="Expires on (optional)"
        type="date"
        fullWidth
        slotProps={{ inputLabel: { shrink: true }, htmlInput: { min: today } }}
        {...fieldProps(
          form,
          "expiresOn",
          "It stops working at the end of this day; empty for never",
        )}
      />
      <Controller
        control={form.control}
        name="role"
        render={({ field: { ref, ...field } }) => (
          <RoleSelect roles={rolesUpTo(role)} inputRef={ref} {...field} />
        )}
      />
    </FormDialog>
  );
}
