import { keepPreviousData, useQuery } from "@tanstack/react-query";

import { errorMessage, fieldProblems } from "../../lib/serverErrors";
import { useDebouncedValue } from "../../lib/useDebouncedValue";
import { maintenanceQueries, type MaintenanceSchedule, previewSchedule } from "./queries";
import { plainMessage } from "./schedule";

/** How many runs the form shows, and how long typing must pause before they are asked for. */
export const PREVIEW_COUNT = 5;
export const PREVIEW_DELAY_MS = 400;

/** The schedule fields the server may name in a refused preview. */
export type ScheduleField = "start" | "end" | "cron" | "durationMinutes" | "timezone";
const SCHEDULE_FIELDS = new Set<string>(["start", "end", "cron", "durationMinutes", "timezone"]);

export interface SchedulePreview {
  occurrences: { start: string; end: string }[] | undefined;
  /** The server's objections, by field. */
  problems: Partial<Record<ScheduleField, string>>;
  /** An objection to the schedule as a whole ("end must be after start"), or a failed request. */
  problem: string | null;
  pending: boolean;
}

/**
 * The next runs of the schedule being typed, asked of the server once the input settles, with
 * its validation errors; null (an incomplete schedule) asks for nothing.
 */
export function useSchedulePreview(schedule: MaintenanceSchedule | null): SchedulePreview {
  // Debounced as text: a schedule is a new object at each render, its text is not.
  const text = schedule === null ? null : JSON.stringify(schedule);
  const settledText = useDebouncedValue(text, PREVIEW_DELAY_MS);
  const settled = settledText === null ? null : (JSON.parse(settledText) as MaintenanceSchedule);
  const preview = useQuery({
    queryKey: [...maintenanceQueries.all(), "preview", settled],
    queryFn: ({ signal }) => previewSchedule(settled!, PREVIEW_COUNT, signal),
    enabled: settled !== null,
    retry: false,
    placeholderData: keepPreviousData,
  });
  const problems: Partial<Record<ScheduleField, string>> = {};
  const general: string[] = [];
  if (preview.isError && schedule !== null) {
    const found = fieldProblems(preview.error);
    for (const { field, message } of found) {
      if (SCHEDULE_FIELDS.has(field)) problems[field as ScheduleField] = plainMessage(message);
      else general.push(plainMessage(message));
    }
    if (found.length === 0) general.push(errorMessage(preview.error));
  }
  return {
    occurrences: preview.isError || schedule === null ? undefined : preview.data,
    problems,
    problem: general.length > 0 ? general.join("; ") : null,
    pending: schedule !== null && (settledText !== text || preview.isFetching),
  };
}
