import SearchIcon from "@mui/icons-material/Search";
import {
  Autocomplete,
  Button,
  Chip,
  InputAdornment,
  MenuItem,
  Stack,
  TextField,
} from "@mui/material";
import { useEffect, useRef, useState } from "react";

import type { FilterPickers } from "../../components/slots";
import { useDebouncedValue } from "../../lib/useDebouncedValue";
import {
  MIN_SEARCH_LENGTH,
  searchText,
  ACTION_PATTERN,
  type ActivityFilters,
  KNOWN_ACTIONS,
  LEVEL_LABELS,
  LOG_LEVELS,
  LOG_TYPES,
  type LogLevel,
  type LogType,
  NO_FILTERS,
  TYPE_LABELS,
} from "./filters";

const SEARCH_DELAY_MS = 300;
const ANY = "any";

interface ActivityFilterBarProps {
  filters: ActivityFilters;
  onChange: (change: Partial<ActivityFilters>) => void;
  /** The view is one environment's: no environment filter. */
  scoped: boolean;
  /** Admins pick a user from the list of users; others filter by a user from an entry. */
  canListUsers: boolean;
  /** The filtered user's name, if an entry on screen tells it. */
  userLabel: string | null;
  pickers: FilterPickers;
}

/** The activity log's filters: text, environment, user, type, level, action and dates. */
export default function ActivityFilterBar({
  filters,
  onChange,
  scoped,
  canListUsers,
  userLabel,
  pickers: { EnvironmentPicker, UserPicker },
}: ActivityFilterBarProps) {
  const [search, setSearch] = useState(filters.q);
  const q = useDebouncedValue(search.trim(), SEARCH_DELAY_MS);
  const [action, setAction] = useState(filters.action ?? "");

  // The search last put in the address: a different one there came from elsewhere (back,
  // a link, "Clear filters"), and the field shows it; the settled text goes the other way.
  const pushed = useRef(filters.q);
  useEffect(() => {
    if (filters.q === pushed.current) return;
    pushed.current = filters.q;
    setSearch(filters.q);
  }, [filters.q]);
  useEffect(() => {
    if (q === pushed.current.trim()) return;
    pushed.current = q;
    onChange({ q });
  }, [q, onChange]);
  useEffect(() => setAction(filters.action ?? ""), [filters.action]);

  const actionValid = action === "" || ACTION_PATTERN.test(action);
  const commitAction = (value: string) => {
    const trimmed = value.trim();
    if (trimmed === "" || ACTION_PATTERN.test(trimmed)) onChange({ action: trimmed || null });
  };
  const filtered = Object.entries(filters).some(
    ([key, value]) =>
      value !== NO_FILTERS[key as keyof ActivityFilters] && !(scoped && key === "environmentId"),
  );

  return (
    <Stack direction="row" spacing={2} useFlexGap flexWrap="wrap" alignItems="flex-start">
      <TextField
        type="search"
        label="Search activity"
        placeholder="Message, environment or user"
        size="small"
        value={search}
        onChange={(event) => setSearch(event.target.value)}
        sx={{ minWidth: 280 }}
        helperText={
          search.trim() !== "" && searchText(search) === undefined
            ? `Type at least ${MIN_SEARCH_LENGTH} characters`
            : undefined
        }
        slotProps={{
          htmlInput: { maxLength: 200 },
          input: {
            startAdornment: (
              <InputAdornment position="start">
                <SearchIcon fontSize="small" />
              </InputAdornment>
            ),
          },
        }}
      />
      {!scoped && (
        <EnvironmentPicker
          value={filters.environmentId}
          onChange={(environmentId) => onChange({ environmentId })}
        />
      )}
      {canListUsers ? (
        <UserPicker
          value={filters.userId}
          valueLabel={userLabel}
          onChange={(userId) => onChange({ userId })}
        />
      ) : (
        filters.userId !== null && (
          <Chip
            label={`User: ${userLabel ?? filters.userId}`}
            onDelete={() => onChange({ userId: null })}
            sx={{ alignSelf: "center" }}
          />
        )
      )}
      <TextField
        select
        label="Type"
        size="small"
        value={filters.type ?? ANY}
        onChange={(event) =>
          onChange({ type: event.target.value === ANY ? null : (event.target.value as LogType) })
        }
        sx={{ minWidth: 150 }}
      >
        <MenuItem value={ANY}>Any type</MenuItem>
        {LOG_TYPES.map((type) => (
          <MenuItem key={type} value={type}>
            {TYPE_LABELS[type]}
          </MenuItem>
        ))}
      </TextField>
      <TextField
        select
        label="Level"
        size="small"
        value={filters.level ?? ANY}
        onChange={(event) =>
          onChange({ level: event.target.value === ANY ? null : (event.target.value as LogLevel) })
        }
        sx={{ minWidth: 130 }}
      >
        <MenuItem value={ANY}>Any level</MenuItem>
        {LOG_LEVELS.map((level) => (
          <MenuItem key={level} value={level}>
            {LEVEL_LABELS[level]}
          </MenuItem>
        ))}
      </TextField>
      <Autocomplete
        freeSolo
        size="small"
        sx={{ minWidth: 170 }}
        options={KNOWN_ACTIONS}
        value={filters.action}
        inputValue={action}
        onInputChange={(_event, text) => setAction(text)}
        onChange={(_event, value) => commitAction(value ?? "")}
        onBlur={() => commitAction(action)}
        renderInput={(params) => (
          <TextField
            {...params}
            label="Action"
            error={!actionValid}
            helperText={actionValid ? undefined : "Lower-case letters and _"}
          />
        )}
      />
      <TextField
        type="date"
        label="From"
        size="small"
        value={filters.from ?? ""}
        onChange={(event) => onChange({ from: event.target.value || null })}
        slotProps={{ inputLabel: { shrink: true }, htmlInput: { max: filters.to ?? undefined } }}
      />
      <TextField
        type="date"
        label="To"
        size="small"
        value={filters.to ?? ""}
        onChange={(event) => onChange({ to: event.target.value || null })}
        slotProps={{ inputLabel: { shrink: true }, htmlInput: { min: filters.from ?? undefined } }}
      />
      {filtered && (
        <Button
          onClick={() => {
            const { environmentId, ...rest } = NO_FILTERS;
            onChange(scoped ? rest : { ...rest, environmentId });
          }}
          sx={{ alignSelf: "center" }}
        >
          Clear filters
        </Button>
      )}
    </Stack>
  );
}
