import { Autocomplete, TextField } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import type { UserPickerProps } from "../../components/slots";
import { useDebouncedValue } from "../../lib/useDebouncedValue";
import { userQueries } from "./queries";

interface Option {
  id: string;
  username: string;
}

/** Pick one user by name (admins list users), or none. */
export default function UserPicker({ value, valueLabel, onChange }: UserPickerProps) {
  const [input, setInput] = useState("");
  const q = useDebouncedValue(input.trim(), 300);
  const users = useQuery(userQueries.list({ page: 1, limit: 20, q }));
  const list: Option[] = (users.data?.users ?? []).map(({ id, username }) => ({ id, username }));
  const known = list.find((option) => option.id === value);
  const current: Option | null =
    value === null ? null : (known ?? { id: value, username: valueLabel ?? value });
  return (
    <Autocomplete
      size="small"
      sx={{ minWidth: 180 }}
      options={list}
      value={current}
      filterOptions={(all) => all}
      getOptionLabel={(option) => option.username}
      isOptionEqualToValue={(option, chosen) => option.id === chosen.id}
      onChange={(_event, option) => onChange(option?.id ?? null)}
      onInputChange={(_event, text, reason) => {
        if (reason === "input") setInput(text);
        else if (reason === "clear") setInput("");
      }}
      loading={users.isFetching}
      renderInput={(params) => <TextField {...params} label="User" />}
    />
  );
}
