import GridViewIcon from "@mui/icons-material/GridView";
import SearchIcon from "@mui/icons-material/Search";
import TableRowsIcon from "@mui/icons-material/TableRows";
import {
  Chip,
  FormControlLabel,
  InputAdornment,
  MenuItem,
  Stack,
  Switch,
  TextField,
  ToggleButton,
  ToggleButtonGroup,
  Typography,
} from "@mui/material";

import { HEALTH_LABELS } from "./health";
import { type EnvironmentSort, HEALTH_STATES, type HealthState, SORTS } from "./queries";
import type { ViewMode } from "./useViewMode";

export const SORT_LABELS: Record<EnvironmentSort, string> = {
  name: "Name (A–Z)",
  "-name": "Name (Z–A)",
  // The server ranks unhealthy lowest: ascending puts the failing environments first.
  health: "Health (unhealthy first)",
  "-health": "Health (healthy first)",
  lastCheck: "Last check (oldest first)",
  "-lastCheck": "Last check (newest first)",
  createdAt: "Created (oldest first)",
  "-createdAt": "Created (newest first)",
};

/** How many tags are offered as chips: the most used ones. */
const MAX_TAG_CHIPS = 20;

interface EnvironmentFiltersProps {
  search: string;
  onSearch: (search: string) => void;
  status: HealthState | null;
  onStatus: (status: HealthState | null) => void;
  sort: EnvironmentSort;
  onSort: (sort: EnvironmentSort) => void;
  tag: string | null;
  onTag: (tag: string | null) => void;
  /** Only the environments nobody holds now. */
  freeNow: boolean;
  onFreeNow: (freeNow: boolean) => void;
  /** Tag → number of environments with it (the summary's byTag). */
  tagCounts: Record<string, number>;
  view: ViewMode;
  onView: (view: ViewMode) => void;
}

/** The dashboard's search, health filter, sort, "free now", view toggle and tag chips. */
export default function EnvironmentFilters(props: EnvironmentFiltersProps) {
  const tags = Object.entries(props.tagCounts)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .slice(0, MAX_TAG_CHIPS);
  return (
    <Stack spacing={1.5}>
      {/* One row where there is room; on a phone: search, then health and sort, then the rest. */}
      <Stack direction="row" spacing={2} useFlexGap flexWrap="wrap" alignItems="center">
        <TextField
          type="search"
          label="Search environments"
          placeholder="Name, description or URL"
          size="small"
          value={props.search}
          onChange={(event) => props.onSearch(event.target.value)}
          sx={{ flex: "1 1 280px" }}
          slotProps={{
            input: {
              startAdornment: (
                <InputAdornment position="start">
                  <SearchIcon fontSize="small" />
                </InputAdornment>
              ),
            },
          }}
        />
        <TextField
          select
          label="Health"
          size="small"
          value={props.status ?? "all"}
          onChange={(event) =>
            props.onStatus(
              event.target.value === "all" ? null : (event.target.value as HealthState),
            )
          }
          sx={{ flex: "1 1 130px", maxWidth: { sm: 180 } }}
        >
          <MenuItem value="all">Any health</MenuItem>
          {HEALTH_STATES.map((health) => (
            <MenuItem key={health} value={health}>
              {HEALTH_LABELS[health]}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          select
          label="Sort by"
          size="small"
          value={props.sort}
          onChange={(event) => props.onSort(event.target.value as EnvironmentSort)}
          sx={{ flex: "1 1 180px", maxWidth: { sm: 240 } }}
        >
          {SORTS.map((sort) => (
            <MenuItem key={sort} value={sort}>
              {SORT_LABELS[sort]}
            </MenuItem>
          ))}
        </TextField>
        <FormControlLabel
          control={
            <Switch
              size="small"
              checked={props.freeNow}
              onChange={(event) => props.onFreeNow(event.target.checked)}
            />
          }
          label="Free now"
          sx={{ whiteSpace: "nowrap" }}
        />
        <ToggleButtonGroup
          size="small"
          exclusive
          aria-label="View"
          value={props.view}
          onChange={(_event, next: ViewMode | null) => next && props.onView(next)}
        >
          <ToggleButton value="cards" aria-label="Cards">
            <GridViewIcon fontSize="small" />
          </ToggleButton>
          <ToggleButton value="table" aria-label="Table">
            <TableRowsIcon fontSize="small" />
          </ToggleButton>
        </ToggleButtonGroup>
      </Stack>
      {tags.length > 0 && (
        <Stack
          direction="row"
          spacing={1}
          useFlexGap
          alignItems="center"
          role="group"
          aria-label="Filter by tag"
          // A phone gets one line that scrolls sideways instead of several lines of chips.
          sx={{ flexWrap: { xs: "nowrap", sm: "wrap" }, overflowX: "auto", pb: { xs: 0.5, sm: 0 } }}
        >
          <Typography variant="body2" color="text.secondary" sx={{ flexShrink: 0 }}>
            Tags:
          </Typography>
          {tags.map(([tag, count]) => {
            const selected = props.tag === tag;
            return (
              <Chip
                key={tag}
                label={`${tag} (${count})`}
                size="small"
                color={selected ? "primary" : "default"}
                variant={selected ? "filled" : "outlined"}
                aria-pressed={selected}
                onClick={() => props.onTag(selected ? null : tag)}
              />
            );
          })}
        </Stack>
      )}
    </Stack>
  );
}
