import { Autocomplete, TextField } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import type { EnvironmentPickerProps } from "../../components/slots";
import { useDebouncedValue } from "../../lib/useDebouncedValue";
import { environmentQueries } from "./queries";

interface Option {
  id: string;
  name: string;
}

/** Pick one environment by name (searched on the server), or none. */
export default function EnvironmentPicker({ value, onChange }: EnvironmentPickerProps) {
  const [input, setInput] = useState("");
  const q = useDebouncedValue(input.trim(), 300);
  const options = useQuery(
    environmentQueries.list({ page: 1, limit: 20, q, tag: null, status: null, sort: "name" }),
  );
  // The address holds only the id: its name comes from the environment itself.
  const selected = useQuery({ ...environmentQueries.detail(value ?? ""), enabled: value !== null });
  const current: Option | null =
    value === null ? null : { id: value, name: selected.data?.name ?? value };
  const list: Option[] = (options.data?.environments ?? []).map(({ id, name }) => ({ id, name }));
  return (
    <Autocomplete
      size="small"
      sx={{ minWidth: 200 }}
      options={list}
      value={current}
      filterOptions={(all) => all}
      getOptionLabel={(option) => option.name}
      isOptionEqualToValue={(option, chosen) => option.id === chosen.id}
      onChange={(_event, option) => onChange(option?.id ?? null)}
      onInputChange={(_event, text, reason) => {
        if (reason === "input") setInput(text);
        else if (reason === "clear") setInput("");
      }}
      loading={options.isFetching}
      renderInput={(params) => <TextField {...params} label="Environment" />}
    />
  );
}
