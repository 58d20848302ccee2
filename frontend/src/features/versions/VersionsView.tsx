import SearchIcon from "@mui/icons-material/Search";
import {
  Alert,
  Box,
  FormControlLabel,
  InputAdornment,
  LinearProgress,
  Paper,
  Stack,
  Switch,
  TextField,
  Typography,
} from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useSearchParams } from "react-router";

import ListPagination from "../../components/ListPagination";
import { errorMessage } from "../../lib/serverErrors";
import { useDebouncedValue } from "../../lib/useDebouncedValue";
import { versionQueries } from "./queries";
import VersionsTable from "./VersionsTable";

const SEARCH_DELAY_MS = 300;

/**
 * One server-side page of environments' versions at a time, searchable by name; "Behind only"
 * (kept in the URL, ?behind=1) leaves the environments that run their newest version out.
 */
export default function VersionsView() {
  const [search, setSearch] = useState("");
  const q = useDebouncedValue(search.trim(), SEARCH_DELAY_MS);
  const [page, setPage] = useState(0);
  const [limit, setLimit] = useState(20);
  const [searchParams, setSearchParams] = useSearchParams();
  const behind = searchParams.get("behind") === "1";
  const list = useQuery(versionQueries.list({ page: page + 1, limit, q, behind }));
  const rows = list.data?.versions ?? [];
  const onBehind = (checked: boolean) => {
    setSearchParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (checked) next.set("behind", "1");
        else next.delete("behind");
        return next;
      },
      { replace: true },
    );
    setPage(0);
  };
  return (
    <Stack spacing={2}>
      <Stack direction="row" spacing={2} alignItems="center" useFlexGap flexWrap="wrap">
        <TextField
          label="Search"
          value={search}
          onChange={(event) => {
            setSearch(event.target.value);
            setPage(0);
          }}
          sx={{ maxWidth: 360, flexGrow: 1 }}
          slotProps={{
            input: {
              startAdornment: (
                <InputAdornment position="start">
                  <SearchIcon />
                </InputAdornment>
              ),
            },
          }}
        />
        <FormControlLabel
          control={
            <Switch checked={behind} onChange={(event) => onBehind(event.target.checked)} />
          }
          label="Behind only"
        />
      </Stack>
      {list.isError && <Alert severity="error">{errorMessage(list.error)}</Alert>}
      {list.isFetching ? (
        <LinearProgress aria-label="Loading versions" />
      ) : (
        <Box sx={{ height: 4 }} />
      )}
      {list.data && rows.length === 0 ? (
        <Paper variant="outlined" sx={{ p: 4, textAlign: "center" }}>
          <Typography color="text.secondary">
            {behind
              ? q
                ? "No environment matching this search is behind its newest version."
                : "No environment is behind its newest listed version."
              : q
                ? "No environment matches this search."
                : "No environment reports a version or lists the versions it can run."}
          </Typography>
        </Paper>
      ) : (
        rows.length > 0 && (
          <Paper variant="outlined">
            <VersionsTable rows={rows} />
          </Paper>
        )
      )}
      {list.data && list.data.pagination.total > 0 && (
        <ListPagination
          total={list.data.pagination.total}
          page={page}
          limit={limit}
          onPageChange={setPage}
          onLimitChange={setLimit}
        />
      )}
    </Stack>
  );
}
