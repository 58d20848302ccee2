import {
  Alert,
  Box,
  LinearProgress,
  Paper,
  Snackbar,
  Stack,
  TablePagination,
  Typography,
} from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";

import { useRealtimeSubscription } from "../../lib/realtime/useRealtimeSubscription";
import { errorMessage } from "../../lib/serverErrors";
import { useDebouncedValue } from "../../lib/useDebouncedValue";
import CreateEnvironmentButtons from "./CreateEnvironmentButtons";
import DeleteEnvironmentDialog from "./DeleteEnvironmentDialog";
import EnvironmentCard from "./EnvironmentCard";
import EnvironmentFilters from "./EnvironmentFilters";
import EnvironmentsTable from "./EnvironmentsTable";
import ImportExportDialog from "./ImportExportDialog";
import {
  type Environment,
  environmentQueries,
  type EnvironmentSort,
  type HealthState,
} from "./queries";
import type { EnvironmentSlots } from "./slots";
import StatCards from "./StatCards";
import { useViewMode } from "./useViewMode";

type OpenDialog = { kind: "importExport" } | { kind: "delete"; environment: Environment } | null;

const PAGE_SIZES = [12, 24, 48, 96];
const SEARCH_DELAY_MS = 300;

/**
 * The environments dashboard: counts, filters and one server-side page of environments at a
 * time (so it stays fast with thousands of them), as cards or a table.
 */
interface EnvironmentsDashboardProps {
  /** Admins add, import, export, edit and delete environments. */
  canManage: boolean;
  /** What the cards and rows show of operations, maintenance and health (from the page). */
  slots: EnvironmentSlots;
}

export default function EnvironmentsDashboard({ canManage, slots }: EnvironmentsDashboardProps) {
  const { useSparklines, ...shown } = slots;
  const [search, setSearch] = useState("");
  const q = useDebouncedValue(search.trim(), SEARCH_DELAY_MS);
  const [status, setStatus] = useState<HealthState | null>(null);
  const [tag, setTag] = useState<string | null>(null);
  const [freeNow, setFreeNow] = useState(false);
  const [sort, setSort] = useState<EnvironmentSort>("name");
  const [page, setPage] = useState(0);
  const [limit, setLimit] = useState(24);
  const [view, setView] = useViewMode();
  const [dialog, setDialog] = useState<OpenDialog>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const summary = useQuery(environmentQueries.summary());
  const list = useQuery(
    environmentQueries.list({
      page: page + 1,
      limit,
      q,
      tag,
      status,
      sort,
      available: freeNow || undefined,
    }),
  );
  const environments = list.data?.environments ?? [];
  const ids = environments.map((e) => e.id);
  // Every check of the environments on screen (not only changes of health) arrives live.
  useRealtimeSubscription(ids.length > 0 ? { environments: ids } : null);
  const sparklines = useSparklines(view === "cards" ? ids : []);
  const emptyPage = list.data?.environments.length === 0 && page > 0;
  const filtered = q !== "" || tag !== null || status !== null || freeNow;

  // Deleting the last environment of the last page leaves it empty: show the page before.
  useEffect(() => {
    if (emptyPage) setPage((current) => Math.max(current - 1, 0));
  }, [emptyPage]);

  const filter =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
      set(value);
      setPage(0);
    };
  const done = (message: string) => {
    setDialog(null);
    setNotice(message);
  };
  const onDelete = (environment: Environment) => setDialog({ kind: "delete", environment });

  return (
    <Stack spacing={3}>
      <StatCards summary={summary.data} />
      {summary.isError && <Alert severity="error">{errorMessage(summary.error)}</Alert>}

      <Stack direction="row" spacing={2} alignItems="flex-start">
        <Box sx={{ flexGrow: 1 }}>
          <EnvironmentFilters
            search={search}
            onSearch={filter(setSearch)}
            status={status}
            onStatus={filter(setStatus)}
            sort={sort}
            onSort={filter(setSort)}
            tag={tag}
            onTag={filter(setTag)}
            freeNow={freeNow}
            onFreeNow={filter(setFreeNow)}
            tagCounts={summary.data?.byTag ?? {}}
            view={view}
            onView={setView}
          />
        </Box>
        {canManage && (
          <Stack direction={{ xs: "column", lg: "row" }} spacing={1} sx={{ flexShrink: 0 }}>
            <CreateEnvironmentButtons
              importLabel="Import / export"
              onImport={() => setDialog({ kind: "importExport" })}
            />
          </Stack>
        )}
      </Stack>

      {list.isError && <Alert severity="error">{errorMessage(list.error)}</Alert>}
      {list.isFetching ? (
        <LinearProgress aria-label="Loading environments" />
      ) : (
        <Box sx={{ height: 4 }} />
      )}

      {list.data && environments.length === 0 && (
        <Paper variant="outlined" sx={{ p: 4, textAlign: "center" }}>
          {filtered ? (
            <Typography color="text.secondary">No environment matches these filters.</Typography>
          ) : (
            <Stack spacing={2} alignItems="center">
              <Typography variant="h6" component="h2">
                No environments yet
              </Typography>
              {canManage ? (
                <>
                  <Typography color="text.secondary">
                    Add the first one, or import a YAML file of environments.
                  </Typography>
                  <Stack direction="row" spacing={2}>
                    <CreateEnvironmentButtons
                      importLabel="Import environments"
                      onImport={() => setDialog({ kind: "importExport" })}
                    />
                  </Stack>
                </>
              ) : (
                <Typography color="text.secondary">
                  An administrator has not added any environment yet.
                </Typography>
              )}
            </Stack>
          )}
        </Paper>
      )}

      {environments.length > 0 &&
        (view === "cards" ? (
          <Box
            sx={{
              display: "grid",
              gap: 2,
              gridTemplateColumns: "repeat(auto-fill, minmax(300px, 1fr))",
            }}
          >
            {environments.map((environment) => (
              <EnvironmentCard
                key={environment.id}
                environment={environment}
                canManage={canManage}
                onDelete={onDelete}
                sparkline={sparklines?.[environment.id]}
                slots={shown}
              />
            ))}
          </Box>
        ) : (
          <Paper variant="outlined">
            <EnvironmentsTable
              environments={environments}
              canManage={canManage}
              onDelete={onDelete}
              slots={shown}
            />
          </Paper>
        ))}

      {list.data && list.data.pagination.total > 0 && (
        <TablePagination
          component="div"
          count={list.data.pagination.total}
          page={page}
          rowsPerPage={limit}
          rowsPerPageOptions={PAGE_SIZES}
          labelRowsPerPage="Per page:"
          onPageChange={(_event, next) => setPage(next)}
          onRowsPerPageChange={(event) => {
            setLimit(Number(event.target.value));
            setPage(0);
          }}
        />
      )}

      {dialog?.kind === "importExport" && (
        <ImportExportDialog
          onClose={() => setDialog(null)}
          onImported={(count) => done(`Imported ${count} environment(s).`)}
        />
      )}
      {dialog?.kind === "delete" && (
        <DeleteEnvironmentDialog
          environment={dialog.environment}
          onClose={() => setDialog(null)}
          onDeleted={(environment) => done(`Deleted ${environment.name}.`)}
        />
      )}
      <Snackbar
        open={notice !== null}
        autoHideDuration={5000}
        onClose={() => setNotice(null)}
        message={notice}
      />
    </Stack>
  );
}
