import { zodResolver } from "@hookform/resolvers/zod";
import { TextField } from "@mui/material";
import { useForm } from "react-hook-form";
import { z } from "zod";

import FormDialog from "../../components/FormDialog";
import ScopePicker from "../../components/ScopePicker";
import type { ScopeWidgets } from "../../components/slots";
import SwitchField from "../../components/SwitchField";
import { fieldProps } from "../../lib/fieldProps";
import { useInvalidatingMutation } from "../../lib/useInvalidatingMutation";
import { sameFields, useServerErrors } from "../../lib/useServerErrors";
import {
  createStatusPage,
  replaceStatusPage,
  type StatusPage,
  type StatusPageSpec,
  statusPageQueries,
} from "./queries";

// The server's rule (domain/status_page.py), checked here too.
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

const schema = z
  .object({
    slug: z
      .string()
      .trim()
      .regex(SLUG, "Lower-case letters, digits and '-' (not first or last), at most 64"),
    title: z.string().trim().min(1, "Enter a title").max(100, "Use at most 100 characters"),
    description: z.string().trim().max(1000, "Use at most 1000 characters"),
    environmentIds: z.array(z.string()),
    tags: z.array(z.string()),
    public: z.boolean(),
    enabled: z.boolean(),
  })
  .superRefine((values, ctx) => {
    if (values.environmentIds.length === 0 && values.tags.length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["tags"],
        message: "Choose at least one tag or environment",
      });
    }
  });

type PageValues = z.infer<typeof schema>;

const SERVER_FIELDS = {
  ...sameFields("slug", "title", "description", "public", "enabled"),
  scope: "tags",
  "scope.tags": "tags",
  "scope.environmentIds": "environmentIds",
} as const;

function defaults(page: StatusPage | null): PageValues {
  return {
    slug: page?.slug ?? "",
    title: page?.title ?? "",
    description: page?.description ?? "",
    environmentIds: page?.scope.environmentIds ?? [],
    tags: page?.scope.tags ?? [],
    public: page?.public ?? false,
    enabled: page?.enabled ?? true,
  };
}

function specOf(values: PageValues): StatusPageSpec {
  return {
    slug: values.slug,
    title: values.title,
    description: values.description,
    scope: { environmentIds: values.environmentIds, tags: values.tags },
    public: values.public,
    enabled: values.enabled,
  };
}

interface StatusPageDialogProps {
  /** The page to edit; null to create one. */
  page: StatusPage | null;
  /** The scope's pickers (from the page). */
  scopeWidgets: ScopeWidgets;
  onClose: () => void;
  onSaved: (page: StatusPage) => void;
}

/** Create a status page (or change one): its address, its group, and who may read it. */
export default function StatusPageDialog({
  page,
  scopeWidgets,
  onClose,
  onSaved,
}: StatusPageDialogProps) {
  const form = useForm<PageValues>({ resolver: zodResolver(schema), defaultValues: defaults(page) });
  const server = useServerErrors(form, SERVER_FIELDS);
  const save = useInvalidatingMutation({
    mutationFn: (spec: StatusPageSpec) =>
      page ? replaceStatusPage(page.id, spec) : createStatusPage(spec),
    invalidates: statusPageQueries.all(),
    onSuccess: onSaved,
    onError: server.report,
  });
  const submit = form.handleSubmit((valid) => {
    server.clear();
    save.mutate(specOf(valid));
  });

  return (
    <FormDialog
      title={page ? `Edit ${page.title}` : "New status page"}
      submitLabel={page ? "Save" : "Create page"}
      onSubmit={submit}
      onClose={onClose}
      pending={save.isPending}
      error={server.formError}
      maxWidth="sm"
    >
      <TextField label="Title" autoComplete="off" autoFocus fullWidth {...fieldProps(form, "title")} />
      <TextField
        label="Address"
        autoComplete="off"
        fullWidth
        slotProps={{ htmlInput: { spellCheck: false } }}
        {...fieldProps(form, "slug", "The page is at /status/<address>, e.g. shop")}
      />
      <TextField
        label="Description"
        autoComplete="off"
        fullWidth
        multiline
        minRows={2}
        {...fieldProps(form, "description", "Shown under the title")}
      />
      <ScopePicker
        control={form.control}
        pickers={["tags", "environments"]}
        widgets={scopeWidgets}
        help={{
          tags: "Every environment with one of these tags (type a tag and press Enter)",
          environments: "And these environments",
        }}
      />
      <SwitchField
        control={form.control}
        name="public"
        label="Public: anyone with the link may read it, without signing in"
      />
      <SwitchField control={form.control} name="enabled" label="Enabled" />
    </FormDialog>
  );
}
