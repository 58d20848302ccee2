import DownloadIcon from "@mui/icons-material/Download";
import {
  Alert,
  Box,
  Button,
  FormControlLabel,
  LinearProgress,
  Paper,
  Stack,
  Switch,
  TablePagination,
  Typography,
} from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { useCallback, useState } from "react";
import { useSearchParams } from "react-router";

import type { FilterPickers } from "../../components/slots";
import { hasRole } from "../../lib/roles";
import { errorMessage } from "../../lib/serverErrors";
import { useSession } from "../../lib/useSession";
import ActivityFilterBar from "./ActivityFilterBar";
import ActivityTable from "./ActivityTable";
import {
  type ActivityFilters,
  filtersFromParams,
  PAGE_SIZES,
  pageFromParams,
  withFilters,
} from "./filters";
import { exportLogs, logQueries } from "./queries";
import { useLiveTail } from "./useLiveTail";

interface ActivityViewProps {
  /** The environment and user filters (from the page). */
  pickers: FilterPickers;
  /** Show one environment's log (its details page's Activity tab) instead of the whole log. */
  environmentId?: string;
}

function download({ filename, blob }: { filename: string; blob: Blob }): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
}

/**
 * The activity log: filters kept in the page address, one server-side page at a time (newest
 * first), unfoldable details, a live tail that puts new matching entries on top as they are
 * recorded, and a CSV export of everything the filters match.
 */
export default function ActivityView({ environmentId, pickers }: ActivityViewProps) {
  const scope = environmentId ?? null;
  const { session } = useSession();
  const isAdmin = session !== null && hasRole(session.user.role, "admin");
  const [searchParams, setSearchParams] = useSearchParams();
  const parsed = filtersFromParams(searchParams);
  const filters: ActivityFilters = scope === null ? parsed : { ...parsed, environmentId: null };
  const { page, limit } = pageFromParams(searchParams);
  const params = { scope, filters, page, limit };
  const list = useQuery(logQueries.list(params));
  const [live, setLive] = useState(false);
  const fresh = useLiveTail(params, live && page === 1);
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<unknown>(null);

  const onFilters = useCallback(
    (change: Partial<ActivityFilters>) =>
      setSearchParams((current) => withFilters(current, change), { replace: true }),
    [setSearchParams],
  );
  const setPage = (next: { page?: number; limit?: number }) =>
    setSearchParams((current) => {
      const params = new URLSearchParams(current);
      if (next.page !== undefined) params.set("page", String(next.page));
      if (next.limit !== undefined) params.set("limit", String(next.limit));
      if (params.get("page") === "1") params.delete("page");
      return params;
    });
  const onExport = async () => {
    setExporting(true);
    setExportError(null);
    try {
      download(await exportLogs(scope, filters));
    } catch (error) {
      setExportError(error);
    } finally {
      setExporting(false);
    }
  };

  const entries = list.data?.logs ?? [];
  const total = list.data?.pagination.total ?? 0;
  const userLabel =
    filters.userId === null
      ? null
      : (entries.find((entry) => entry.userId === filters.userId)?.username ?? null);
  const filtered = Object.values(filters).some((value) => value !== null && value !== "");

  return (
    <Stack spacing={2}>
      <ActivityFilterBar
        filters={filters}
        onChange={onFilters}
        scoped={scope !== null}
        canListUsers={isAdmin}
        userLabel={userLabel}
        pickers={pickers}
      />
      <Stack direction="row" spacing={2} alignItems="center" useFlexGap flexWrap="wrap">
        <FormControlLabel
          control={
            <Switch
              checked={live}
              onChange={(event) => {
                setLive(event.target.checked);
                // The tail follows the newest entries: those are on the first page.
                if (event.target.checked && page !== 1) setPage({ page: 1 });
              }}
            />
          }
          label="Live tail"
        />
        <Typography color="text.secondary" sx={{ flexGrow: 1 }} role="status">
          {list.data ? `${total} ${total === 1 ? "entry" : "entries"}` : ""}
        </Typography>
        <Button
          variant="outlined"
          startIcon={<DownloadIcon />}
          onClick={() => void onExport()}
          disabled={exporting}
        >
          Export CSV
        </Button>
      </Stack>
      {exportError !== null && (
        <Alert severity="error" onClose={() => setExportError(null)}>
          Export failed: {errorMessage(exportError)}
        </Alert>
      )}
      {list.isError && <Alert severity="error">{errorMessage(list.error)}</Alert>}
      {list.isFetching ? (
        <LinearProgress aria-label="Loading activity" />
      ) : (
        <Box sx={{ height: 4 }} />
      )}
      {list.data && entries.length === 0 ? (
        <Paper variant="outlined" sx={{ p: 4, textAlign: "center" }}>
          <Typography color="text.secondary">
            {filtered ? "No activity matches these filters." : "No activity recorded yet."}
          </Typography>
        </Paper>
      ) : (
        entries.length > 0 && (
          <Paper variant="outlined">
            <ActivityTable
              entries={entries}
              showEnvironment={scope === null}
              fresh={fresh}
              onUser={(userId) => onFilters({ userId })}
            />
          </Paper>
        )
      )}
      {total > 0 && (
        <TablePagination
          component="div"
          count={total}
          page={page - 1}
          rowsPerPage={limit}
          rowsPerPageOptions={PAGE_SIZES}
          onPageChange={(_event, next) => {
            // An older page holds still: the tail only makes sense on the first.
            if (next !== 0) setLive(false);
            setPage({ page: next + 1 });
          }}
          // A new page size starts again at the first page (in one change of the address).
          onRowsPerPageChange={(event) => setPage({ page: 1, limit: Number(event.target.value) })}
        />
      )}
    </Stack>
  );
}
