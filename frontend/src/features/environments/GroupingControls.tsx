import { Autocomplete, Stack, TextField } from "@mui/material";

import { type GroupKey, parseGroupKey } from "./dashboardState";

interface GroupingControlsProps {
  groupBy: GroupKey | null;
  columnsBy: GroupKey | null;
  onChange: (change: { groupBy: GroupKey | null; columnsBy: GroupKey | null }) => void;
  /** The metadata keys the environments at hand have (any other key can be typed). */
  metadataKeys: string[];
}

function optionLabel(option: string): string {
  if (option === "tag") return "Tag";
  return option.startsWith("meta:") ? option.slice("meta:".length) : option;
}

/** What is typed or picked: "tag", "meta:app", or a bare key meaning that metadata key. */
function toKey(value: string | null): GroupKey | null {
  if (!value?.trim()) return null;
  const text = value.trim();
  if (text === "tag" || text === "Tag" || text.startsWith("meta:")) {
    return parseGroupKey(text === "Tag" ? "tag" : text);
  }
  return parseGroupKey(`meta:${text}`);
}

interface KeyFieldProps {
  label: string;
  value: GroupKey | null;
  options: GroupKey[];
  onChange: (value: GroupKey | null) => void;
  disabled?: boolean;
}

function KeyField({ label, value, options, onChange, disabled }: KeyFieldProps) {
  return (
    <Autocomplete
      freeSolo
      autoSelect
      size="small"
      disabled={disabled}
      options={options}
      value={value}
      getOptionLabel={optionLabel}
      groupBy={(option) => (option === "tag" ? "" : "Metadata keys")}
      onChange={(_event, next) => onChange(toKey(next))}
      sx={{ flex: "1 1 160px", maxWidth: { sm: 280 } }}
      renderInput={(params) => (
        <TextField {...params} label={label} placeholder="Tag or a metadata key" />
      )}
    />
  );
}

/**
 * Group the dashboard: rows by a tag or a metadata key (an application), and optionally
 * columns by another (a stage), as swimlanes.
 */
export default function GroupingControls({
  groupBy,
  columnsBy,
  onChange,
  metadataKeys,
}: GroupingControlsProps) {
  const keys = new Set<GroupKey>(["tag", ...metadataKeys.map((key) => `meta:${key}` as const)]);
  for (const chosen of [groupBy, columnsBy]) if (chosen) keys.add(chosen);
  const options = [...keys];
  return (
    <Stack
      // Side by side on a phone too: stacked, they would push the environments off its screen.
      direction="row"
      spacing={2}
      useFlexGap
      flexWrap="wrap"
      role="group"
      aria-label="Grouping"
    >
      <KeyField
        label="Group rows by"
        value={groupBy}
        options={options}
        onChange={(next) => onChange({ groupBy: next, columnsBy: next ? columnsBy : null })}
      />
      <KeyField
        label="Columns by"
        value={columnsBy}
        options={options}
        disabled={groupBy === null}
        onChange={(next) => onChange({ groupBy, columnsBy: next })}
      />
    </Stack>
  );
}
