import { Autocomplete, TextField } from "@mui/material";
import { useMemo } from "react";

import { timeZones } from "./schedule";

interface TimeZonePickerProps {
  value: string;
  onChange: (zone: string) => void;
  helperText?: string;
  error?: boolean;
}

/** One IANA time zone, searched by typing part of its name ("berlin", "new_york"). */
export default function TimeZonePicker({
  value,
  onChange,
  helperText,
  error,
}: TimeZonePickerProps) {
  const zones = useMemo(timeZones, []);
  return (
    <Autocomplete
      options={zones}
      value={value}
      disableClearable
      onChange={(_event, zone) => onChange(zone)}
      renderInput={(params) => (
        <TextField {...params} label="Time zone" helperText={helperText} error={error} />
      )}
    />
  );
}
