import { zodResolver } from "@hookform/resolvers/zod";
import {
  Alert,
  Box,
  Checkbox,
  CircularProgress,
  FormControl,
  FormControlLabel,
  FormGroup,
  FormHelperText,
  FormLabel,
  TextField,
  Typography,
} from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { Controller, useForm } from "react-hook-form";
import { z } from "zod";

import FormDialog from "../../components/FormDialog";
import PasswordField from "../../components/PasswordField";
import RadioField from "../../components/RadioField";
import ScopePicker from "../../components/ScopePicker";
import type { ScopeWidgets } from "../../components/slots";
import SwitchField from "../../components/SwitchField";
import { fieldProps } from "../../lib/fieldProps";
import { errorMessage } from "../../lib/serverErrors";
import { useInvalidatingMutation } from "../../lib/useInvalidatingMutation";
import { sameFields, useServerErrors } from "../../lib/useServerErrors";
import AppriseHelp from "./AppriseHelp";
import {
  type Channel,
  type ChannelCreate,
  type ChannelScope,
  type ChannelUpdate,
  createChannel,
  type NotificationEvent,
  notificationQueries,
  SCOPE_KINDS,
  SCOPE_LABELS,
  updateChannel,
} from "./queries";

const URL_MAX = 2048;

function schemaFor(editing: boolean) {
  return z
    .object({
      name: z.string().trim().min(1, "Enter a name").max(100, "Use at most 100 characters"),
      url: z.string().trim().max(URL_MAX, `Use at most ${URL_MAX} characters`),
      events: z.array(z.string()).min(1, "Choose at least one event"),
      scopeKind: z.enum(SCOPE_KINDS),
      tags: z.array(z.string()),
      environmentIds: z.array(z.string()),
      enabled: z.boolean(),
    })
    .superRefine((values, ctx) => {
      if (!editing && !values.url) {
        ctx.addIssue({ code: "custom", path: ["url"], message: "Enter the Apprise URL" });
      } else if (values.url && !/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(values.url)) {
        const message = "An Apprise URL starts with its service, such as slack:// or mailto://";
        ctx.addIssue({ code: "custom", path: ["url"], message });
      }
      if (values.scopeKind === "tags" && values.tags.length === 0) {
        ctx.addIssue({ code: "custom", path: ["tags"], message: "Choose at least one tag" });
      }
      if (values.scopeKind === "environments" && values.environmentIds.length === 0) {
        const message = "Choose at least one environment";
        ctx.addIssue({ code: "custom", path: ["environmentIds"], message });
      }
    });
}

type ChannelValues = z.infer<ReturnType<typeof schemaFor>>;

const SERVER_FIELDS = {
  ...sameFields("name", "url", "events"),
  scope: "scopeKind",
  "scope.kind": "scopeKind",
  "scope.tags": "tags",
  "scope.environmentIds": "environmentIds",
} as const;

function defaults(channel: Channel | null): ChannelValues {
  return {
    name: channel?.name ?? "",
    url: "",
    events: channel?.events ?? ["environment.unhealthy", "environment.recovered"],
    scopeKind: channel?.scope.kind ?? "all",
    tags: channel?.scope.tags ?? [],
    environmentIds: channel?.scope.environmentIds ?? [],
    enabled: channel?.enabled ?? true,
  };
}

function scopeOf(values: ChannelValues): ChannelScope {
  return {
    kind: values.scopeKind,
    tags: values.scopeKind === "tags" ? values.tags : [],
    environmentIds: values.scopeKind === "environments" ? values.environmentIds : [],
  };
}

/** The events ticked: names the server listed (GET /notifications/events). */
const eventsOf = (values: ChannelValues) => values.events as NotificationEvent[];

const sameList = (a: string[], b: string[]) =>
  a.length === b.length && [...a].sort().join("\n") === [...b].sort().join("\n");

/** The PATCH body: only what changed; an empty URL keeps the stored one. */
function changes(channel: Channel, values: ChannelValues): ChannelUpdate {
  const update: ChannelUpdate = {};
  const scope = scopeOf(values);
  if (values.name !== channel.name) update.name = values.name;
  if (values.url) update.url = values.url;
  if (!sameList(values.events, channel.events)) update.events = eventsOf(values);
  if (
    scope.kind !== channel.scope.kind ||
    !sameList(scope.tags ?? [], channel.scope.tags ?? []) ||
    !sameList(scope.environmentIds ?? [], channel.scope.environmentIds ?? [])
  ) {
    update.scope = scope;
  }
  if (values.enabled !== channel.enabled) update.enabled = values.enabled;
  return update;
}

interface ChannelDialogProps {
  /** The channel to edit; null for a new one. */
  channel: Channel | null;
  /** The scope's pickers (from the page). */
  scopeWidgets: ScopeWidgets;
  onClose: () => void;
  onSaved: (channel: Channel) => void;
}

/** Create a channel or change one: where (an Apprise URL), which events, about which environments. */
export default function ChannelDialog({
  channel,
  scopeWidgets,
  onClose,
  onSaved,
}: ChannelDialogProps) {
  const editing = channel !== null;
  const form = useForm<ChannelValues>({
    resolver: zodResolver(schemaFor(editing)),
    defaultValues: defaults(channel),
  });
  const events = useQuery(notificationQueries.events());
  const scopeKind = form.watch("scopeKind");
  const server = useServerErrors(form, SERVER_FIELDS);
  const save = useInvalidatingMutation({
    mutationFn: (body: ChannelCreate | ChannelUpdate) =>
      channel ? updateChannel(channel.id, body) : createChannel(body as ChannelCreate),
    invalidates: notificationQueries.all(),
    onSuccess: onSaved,
    onError: server.report,
  });

  const submit = form.handleSubmit((values) => {
    server.clear();
    if (!channel) {
      const { name, url, enabled } = values;
      save.mutate({ name, url, events: eventsOf(values), enabled, scope: scopeOf(values) });
      return;
    }
    const update = changes(channel, values);
    if (Object.keys(update).length === 0) onClose();
    else save.mutate(update);
  });

  const errors = form.formState.errors;
  return (
    <FormDialog
      title={channel ? `Edit ${channel.name}` : "New channel"}
      submitLabel={channel ? "Save" : "Create channel"}
      onSubmit={submit}
      onClose={onClose}
      pending={save.isPending}
      error={server.formError}
      maxWidth="sm"
    >
      <TextField
        label="Name"
        autoComplete="off"
        autoFocus
        fullWidth
        {...fieldProps(form, "name")}
      />
      <Box>
        <PasswordField
          label={channel ? "New Apprise URL (optional)" : "Apprise URL"}
          autoComplete="off"
          fullWidth
          {...fieldProps(
            form,
            "url",
            channel
              ? `Leave empty to keep the stored URL (${channel.service}://…)`
              : "Stored encrypted and never shown again",
          )}
        />
        <AppriseHelp />
      </Box>
      <Controller
        control={form.control}
        name="events"
        render={({ field }) => (
          <FormControl component="fieldset" error={errors.events !== undefined}>
            <FormLabel component="legend">Events</FormLabel>
            {events.isPending && <CircularProgress size={20} aria-label="Loading events" />}
            {events.isError && <Alert severity="error">{errorMessage(events.error)}</Alert>}
            <FormGroup>
              {(events.data ?? []).map((event) => (
                <FormControlLabel
                  key={event.name}
                  label={
                    <>
                      <Typography variant="body2" component="span" sx={{ display: "block" }}>
                        {event.name}
                      </Typography>
                      <Typography variant="caption" color="text.secondary" component="span">
                        {event.description}
                      </Typography>
                    </>
                  }
                  control={
                    <Checkbox
                      checked={field.value.includes(event.name)}
                      slotProps={{ input: { "aria-label": event.name } }}
                      onChange={(change) =>
                        field.onChange(
                          change.target.checked
                            ? [...field.value, event.name]
                            : field.value.filter((name) => name !== event.name),
                        )
                      }
                    />
                  }
                />
              ))}
            </FormGroup>
            {errors.events?.message && <FormHelperText>{errors.events.message}</FormHelperText>}
          </FormControl>
        )}
      />
      <RadioField
        control={form.control}
        name="scopeKind"
        label="About"
        options={SCOPE_KINDS}
        labels={SCOPE_LABELS}
      />
      <ScopePicker
        control={form.control}
        pickers={scopeKind === "all" ? [] : [scopeKind]}
        widgets={scopeWidgets}
        help={{ tags: "Environments with any of these tags" }}
      />
      <SwitchField control={form.control} name="enabled" label="Enabled" />
    </FormDialog>
  );
}
