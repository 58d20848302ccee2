import { zodResolver } from "@hookform/resolvers/zod";
import { Stack, TextField } from "@mui/material";
import { useEffect, useState } from "react";
import { type Control, Controller, useForm, useWatch } from "react-hook-form";
import { z } from "zod";

import FormDialog from "../../components/FormDialog";
import RadioField from "../../components/RadioField";
import ScopePicker from "../../components/ScopePicker";
import type { ScopeWidgets } from "../../components/slots";
import SwitchField from "../../components/SwitchField";
import { fieldProps } from "../../lib/fieldProps";
import { useInvalidatingMutation } from "../../lib/useInvalidatingMutation";
import { sameFields, useServerErrors } from "../../lib/useServerErrors";
import {
  createWindow,
  KIND_LABELS,
  type MaintenanceSchedule,
  maintenanceQueries,
  type MaintenanceWindow,
  type MaintenanceWindowSpec,
  replaceWindow,
} from "./queries";
import { browserTimeZone, fromLocalInput, toLocalInput } from "./schedule";
import SchedulePreviewList from "./SchedulePreviewList";
import TimeZonePicker from "./TimeZonePicker";
import { type ScheduleField, useSchedulePreview } from "./useSchedulePreview";

// The server's limits (domain/maintenance.py), checked here too.
const MAX_DURATION_MINUTES = 7 * 24 * 60;

const WINDOW_KINDS = ["recurring", "one-off"] as const;

const schema = z
  .object({
    name: z.string().trim().min(1, "Enter a name").max(100, "Use at most 100 characters"),
    reason: z.string().trim().max(1000, "Use at most 1000 characters"),
    kind: z.enum(WINDOW_KINDS),
    start: z.string(),
    end: z.string(),
    cron: z.string(),
    durationMinutes: z.string(),
    timezone: z.string(),
    environmentIds: z.array(z.string()),
    tags: z.array(z.string()),
    enabled: z.boolean(),
  })
  .superRefine((values, ctx) => {
    const problem = (path: keyof typeof values, message: string) =>
      ctx.addIssue({ code: "custom", path: [path], message });
    if (values.kind === "one-off") {
      const start = fromLocalInput(values.start);
      const end = fromLocalInput(values.end);
      if (!start) problem("start", "Enter when it starts");
      if (!end) problem("end", "Enter when it ends");
      if (start && end && end <= start) problem("end", "The end must be after the start");
    } else {
      if (!values.cron.trim()) problem("cron", "Enter a cron expression");
      if (!durationOf(values.durationMinutes)) {
        problem("durationMinutes", `Enter 1 to ${MAX_DURATION_MINUTES} minutes`);
      }
      if (!values.timezone) problem("timezone", "Choose a time zone");
    }
    if (values.environmentIds.length === 0 && values.tags.length === 0) {
      problem("environmentIds", "Choose at least one environment or tag");
    }
  });

type WindowValues = z.infer<typeof schema>;

const SERVER_FIELDS = {
  ...sameFields("name", "reason", "kind", "start", "end", "cron", "durationMinutes", "timezone"),
  scope: "environmentIds",
  "scope.environmentIds": "environmentIds",
  "scope.tags": "tags",
} as const;

function durationOf(text: string): number | null {
  const minutes = Number(text);
  return Number.isInteger(minutes) && minutes >= 1 && minutes <= MAX_DURATION_MINUTES
    ? minutes
    : null;
}

function defaults(maintenance: MaintenanceWindow | null): WindowValues {
  return {
    name: maintenance?.name ?? "",
    reason: maintenance?.reason ?? "",
    kind: maintenance?.kind ?? "recurring",
    start: toLocalInput(maintenance?.start),
    end: toLocalInput(maintenance?.end),
    cron: maintenance?.cron ?? "",
    durationMinutes: maintenance?.durationMinutes ? String(maintenance.durationMinutes) : "60",
    // A one-off window has no zone of its own: a switch to recurring starts from the reader's.
    timezone: maintenance?.kind === "recurring" ? maintenance.timezone : browserTimeZone(),
    environmentIds: maintenance?.scope.environmentIds ?? [],
    tags: maintenance?.scope.tags ?? [],
    enabled: maintenance?.enabled ?? true,
  };
}

type ScheduleValues = Pick<
  WindowValues,
  "kind" | "start" | "end" | "cron" | "durationMinutes" | "timezone"
>;
const SCHEDULE_FIELDS = ["kind", "start", "end", "cron", "durationMinutes", "timezone"] as const;

/** The schedule the values describe, or null while it is not complete enough to preview. */
function scheduleOf(values: ScheduleValues): MaintenanceSchedule | null {
  if (values.kind === "one-off") {
    const start = fromLocalInput(values.start);
    const end = fromLocalInput(values.end);
    return start && end ? { kind: "one-off", start, end, timezone: "UTC" } : null;
  }
  const durationMinutes = durationOf(values.durationMinutes);
  const cron = values.cron.trim();
  if (!cron || !durationMinutes || !values.timezone) return null;
  return { kind: "recurring", cron, durationMinutes, timezone: values.timezone };
}

function specOf(values: WindowValues): MaintenanceWindowSpec {
  return {
    ...scheduleOf(values)!,
    name: values.name,
    reason: values.reason,
    scope: { environmentIds: values.environmentIds, tags: values.tags },
    enabled: values.enabled,
  };
}

type Problems = Partial<Record<ScheduleField, string>>;

interface LivePreviewProps {
  control: Control<WindowValues>;
  onProblems: (problems: Problems) => void;
}

/**
 * The next runs of the schedule as it is typed. Only this part re-renders at each key; the
 * server's objections go up to the fields they name.
 */
function LivePreview({ control, onProblems }: LivePreviewProps) {
  const [kind, start, end, cron, durationMinutes, timezone] = useWatch({
    control,
    name: SCHEDULE_FIELDS,
  });
  const preview = useSchedulePreview(
    scheduleOf({ kind, start, end, cron, durationMinutes, timezone }),
  );
  const problems = JSON.stringify(preview.problems);
  useEffect(() => onProblems(JSON.parse(problems) as Problems), [problems, onProblems]);
  return (
    <SchedulePreviewList preview={preview} timezone={kind === "recurring" ? timezone : null} />
  );
}

interface MaintenanceWindowDialogProps {
  /** The window to edit; null to plan a new one. */
  maintenance: MaintenanceWindow | null;
  /** The scope's pickers (from the page). */
  scopeWidgets: ScopeWidgets;
  onClose: () => void;
  onSaved: (maintenance: MaintenanceWindow) => void;
}

/** Plan a one-off or recurring window (or change one), with a live preview of its next runs. */
export default function MaintenanceWindowDialog({
  maintenance,
  scopeWidgets,
  onClose,
  onSaved,
}: MaintenanceWindowDialogProps) {
  const form = useForm<WindowValues>({
    resolver: zodResolver(schema),
    defaultValues: defaults(maintenance),
  });
  const kind = useWatch({ control: form.control, name: "kind" });
  const [problems, setProblems] = useState<Problems>({});
  const server = useServerErrors(form, SERVER_FIELDS);
  const save = useInvalidatingMutation({
    mutationFn: (spec: MaintenanceWindowSpec) =>
      maintenance ? replaceWindow(maintenance.id, spec) : createWindow(spec),
    invalidates: maintenanceQueries.all(),
    onSuccess: onSaved,
    onError: server.report,
  });

  const submit = form.handleSubmit((valid) => {
    server.clear();
    save.mutate(specOf(valid));
  });

  /** The form's own error first, then the preview's objection to that field. */
  const withPreview = (
    name: "start" | "end" | "cron" | "durationMinutes" | "timezone",
    help?: string,
  ) => {
    const props = fieldProps(form, name, help);
    const objection = problems[name];
    return props.error || !objection ? props : { ...props, error: true, helperText: objection };
  };

  const zoneError = form.formState.errors.timezone?.message ?? problems.timezone;
  return (
    <FormDialog
      title={maintenance ? `Edit ${maintenance.name}` : "New maintenance window"}
      submitLabel={maintenance ? "Save" : "Create window"}
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
      <TextField
        label="Reason"
        autoComplete="off"
        fullWidth
        multiline
        minRows={2}
        {...fieldProps(form, "reason", "Shown on the environments while the window runs")}
      />
      <RadioField
        control={form.control}
        name="kind"
        label="When"
        options={WINDOW_KINDS}
        labels={KIND_LABELS}
        row
      />
      {kind === "one-off" ? (
        <Stack direction={{ xs: "column", sm: "row" }} spacing={2}>
          <TextField
            type="datetime-local"
            label="Starts"
            fullWidth
            slotProps={{ inputLabel: { shrink: true } }}
            {...withPreview("start", `Your time (${browserTimeZone()})`)}
          />
          <TextField
            type="datetime-local"
            label="Ends"
            fullWidth
            slotProps={{ inputLabel: { shrink: true } }}
            {...withPreview("end")}
          />
        </Stack>
      ) : (
        <>
          <Stack direction={{ xs: "column", sm: "row" }} spacing={2}>
            <TextField
              label="Cron expression"
              autoComplete="off"
              fullWidth
              placeholder="30 2 * * 0"
              slotProps={{ htmlInput: { spellCheck: false, style: { fontFamily: "monospace" } } }}
              {...withPreview("cron", "Minute, hour, day, month, weekday")}
            />
            <TextField
              label="Duration (minutes)"
              type="number"
              fullWidth
              slotProps={{ htmlInput: { min: 1, max: MAX_DURATION_MINUTES } }}
              {...withPreview("durationMinutes")}
            />
          </Stack>
          <Controller
            control={form.control}
            name="timezone"
            render={({ field }) => (
              <TimeZonePicker
                value={field.value}
                onChange={field.onChange}
                error={zoneError !== undefined}
                helperText={zoneError ?? "The cron expression is read in this zone's clock time"}
              />
            )}
          />
        </>
      )}
      <LivePreview control={form.control} onProblems={setProblems} />
      <ScopePicker
        control={form.control}
        pickers={["environments", "tags"]}
        widgets={scopeWidgets}
        help={{
          environments: "These environments, and every one with one of the tags",
          tags: "Type a tag and press Enter",
        }}
      />
      <SwitchField control={form.control} name="enabled" label="Enabled" />
    </FormDialog>
  );
}
