import { Autocomplete, TextField } from "@mui/material";
import { useQuery } from "@tanstack/react-query";

import type { MultiPickerProps } from "../../components/slots";
import { environmentQueries } from "./queries";

/** Pick tags: those environments carry (from the summary), or new ones typed in. */
export default function TagsPicker({
  label = "Tags",
  value,
  onChange,
  helperText,
  error,
}: MultiPickerProps) {
  const summary = useQuery(environmentQueries.summary());
  const known = Object.keys(summary.data?.byTag ?? {}).sort();
  return (
    <Autocomplete
      multiple
      freeSolo
      autoSelect
      options={known}
      value={value}
      filterSelectedOptions
      onChange={(_event, tags) =>
        onChange([...new Set(tags.map((tag) => tag.trim()).filter(Boolean))])
      }
      renderInput={(params) => (
        <TextField {...params} label={label} helperText={helperText} error={error} />
      )}
    />
  );
}
