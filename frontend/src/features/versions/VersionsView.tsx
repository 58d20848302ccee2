import SearchIcon from "@mui/icons-material/Search";
import {
  Alert,
  Box,
  InputAdornment,
  LinearProgress,
  Paper,
  Stack,
  TextField,
  Typography,
} from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import ListPagination from "../../components/ListPagination";
import { errorMessage } from "../../lib/serverErrors";
import { useDebouncedValue } from "../../lib/useDebouncedValue";
import { versionQueries } from "./queries";
import VersionsTable from "./VersionsTable";

const SEARCH_DELAY_MS = 300;

/** One server-side page of environments' versions at a time, searchable by name. */
export default function VersionsView() {
  const [search, setSearch] = useState("");
  const q = useDebouncedValue(search.trim(), SEARCH_DELAY_MS);
  const [page, setPage] = useState(0);
  const [limit, setLimit] = useState(20);
  const list = useQuery(versionQueries.list({ page: page + 1, limit, q }));
  const rows = list.data?.versions ?? [];
  return (
    <Stack spacing={2}>
      <TextField
        label="Search"
        value={search}
        onChange={(event) => {
          setSearch(event.target.value);
          setPage(0);
        }}
        sx={{ maxWidth: 360 }}
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
      {list.isError && <Alert severity="error">{errorMessage(list.error)}</Alert>}
      {list.isFetching ? (
        <LinearProgress aria-label="Loading versions" />
      ) : (
        <Box sx={{ height: 4 }} />
      )}
      {list.data && rows.length === 0 ? (
        <Paper variant="outlined" sx={{ p: 4, textAlign: "center" }}>
          <Typography color="text.secondary">
            {q
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
