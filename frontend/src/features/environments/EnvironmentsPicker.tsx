import { Autocomplete, TextField } from "@mui/material";
import { useQueries, useQuery } from "@tanstack/react-query";
import { useState } from "react";

import type { MultiPickerProps } from "../../components/slots";
import { useDebouncedValue } from "../../lib/useDebouncedValue";
import { environmentQueries } from "./queries";

interface Option {
  id: string;
  name: string;
}

/** Pick any number of environments by name (searched on the server); the value is their ids. */
export default function EnvironmentsPicker({
  label = "Environments",
  value,
  onChange,
  helperText,
  error,
}: MultiPickerProps) {
  const [input, setInput] = useState("");
  const q = useDebouncedValue(input.trim(), 300);
  const options = useQuery(
    environmentQueries.list({ page: 1, limit: 20, q, tag: null, status: null, sort: "name" }),
  );
  const found = new Map((options.data?.environments ?? []).map((e) => [e.id, e.name]));
  // A saved value holds ids only: the names of those not in the search come one by one.
  const names = useQueries({
    queries: value.map((id) => ({
      ...environmentQueries.detail(id),
      enabled: !found.has(id),
      retry: false,
    })),
  });
  const selected: Option[] = value.map((id, index) => ({
    id,
    name: found.get(id) ?? names[index]?.data?.name ?? id,
  }));
  const list: Option[] = [...found].map(([id, name]) => ({ id, name }));
  return (
    <Autocomplete
      multiple
      options={list}
      value={selected}
      filterOptions={(all) => all}
      filterSelectedOptions
      getOptionLabel={(option) => option.name}
      isOptionEqualToValue={(option, chosen) => option.id === chosen.id}
      onChange={(_event, chosen) => onChange(chosen.map((option) => option.id))}
      onInputChange={(_event, text, reason) => {
        if (reason === "input") setInput(text);
        else if (reason === "clear" || reason === "reset") setInput("");
      }}
      loading={options.isFetching}
      renderInput={(params) => (
        <TextField {...params} label={label} helperText={helperText} error={error} />
      )}
    />
  );
}
