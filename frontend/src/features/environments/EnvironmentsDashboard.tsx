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
import { useCallback, useEffect, useMemo, useState } from "react";

import { useRealtimeSubscription } from "../../lib/realtime/useRealtimeSubscription";
import { errorMessage } from "../../lib/serverErrors";
import BulkSelection from "./BulkSelection";
import { PAGE_SIZES } from "./dashboardState";
import CreateEnvironmentButtons from "./CreateEnvironmentButtons";
import DeleteEnvironmentDialog from "./DeleteEnvironmentDialog";
import EnvironmentFilters from "./EnvironmentFilters";
import EnvironmentsTable from "./EnvironmentsTable";
import GroupedView from "./GroupedView";
import { metadataKeys } from "./grouping";
import GroupingControls from "./GroupingControls";
import ImportExportDialog from "./ImportExportDialog";
import { type Environment, environmentQueries, GROUPED_LIMIT } from "./queries";
import type { EnvironmentSlots } from "./slots";
import StatCards from "./StatCards";
import { useDashboardUrlState } from "./useDashboardUrlState";
import { useUrlSearchBox } from "./useUrlSearchBox";
import { useViewMode } from "./useViewMode";
import VirtualCardGrid from "./VirtualCardGrid";
import { withSelectCheckbox } from "./withSelectCheckbox";

type OpenDialog = { kind: "importExport" } | { kind: "delete"; environment: Environment } | null;

// Long enough to skip the keys of a word typed at speed, short enough that results follow
// the last key within a human's reaction time.
const SEARCH_DELAY_MS = 100;
const NoBulkDialog = () => null;

/**
 * The environments dashboard: counts, filters and one server-side page of environments at a
 * time (so it stays fast with thousands of them), as cards or a table; or every match grouped
 * as swimlanes. Filters, sort, grouping and page live in the URL (dashboardState.ts).
 */
interface EnvironmentsDashboardProps {
  /** Admins add, import, export, edit and delete environments. */
  canManage: boolean;
  /** Users and admins select environments for bulk restarts and upgrades. */
  canOperate?: boolean;
  /** What the cards and rows show of operations, maintenance and health (from the page). */
  slots: EnvironmentSlots;
}

export default function EnvironmentsDashboard({
  canManage,
  canOperate = false,
  slots,
}: EnvironmentsDashboardProps) {
  const { useSparklines } = slots;
  const [state, update] = useDashboardUrlState();
  const { status, tag, freeNow, sort, page, limit, groupBy, columnsBy } = state;
  const searchBox = useUrlSearchBox(
    state.search,
    (search) => update({ search }, { replace: true }),
    SEARCH_DELAY_MS,
  );
  // From the URL, not the box: the search and its return to page 1 arrive together.
  const q = state.search;
  const [view, setView] = useViewMode();
  const [dialog, setDialog] = useState<OpenDialog>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const summary = useQuery(environmentQueries.summary());
  const filters = { q, tag, status, sort, available: freeNow || undefined };
  const grouped = groupBy !== null;
  const pageList = useQuery({
    ...environmentQueries.list({ ...filters, page: page + 1, limit }),
    enabled: !grouped,
  });
  const everyList = useQuery({ ...environmentQueries.every(filters), enabled: grouped });
  const list = grouped ? everyList : pageList;
  const environments = list.data?.environments ?? [];
  const ids = grouped ? [] : environments.map((e) => e.id);
  // Every check of the environments on screen (not only changes of health) arrives live.
  useRealtimeSubscription(ids.length > 0 ? { environments: ids } : null);
  const sparklines = useSparklines(view === "cards" ? ids : []);
  const total = pageList.data?.pagination.total;
  const lastPage = total === undefined ? null : Math.max(Math.ceil(total / limit) - 1, 0);
  const filtered = q !== "" || tag !== null || status !== null || freeNow;
  const selectable = canOperate && slots.BulkOperationDialog !== undefined;
  // The checkbox that selects an environment for a bulk action sits by its operations.
  const cardSlots = useMemo(
    () =>
      selectable
        ? { ...slots, OperationActions: withSelectCheckbox(slots.OperationActions) }
        : slots,
    [slots, selectable],
  );

  // Past the last page (deleting its last environment, an old link): show the last one.
  useEffect(() => {
    if (!grouped && lastPage !== null && page > lastPage) {
      update({ page: lastPage }, { replace: true });
    }
  }, [grouped, lastPage, page, update]);

  const changePage = (next: number) => {
    update({ page: next });
    // The new page starts at the top: staying at the bottom would show its last cards.
    window.scrollTo({ top: 0 });
  };
  const done = (message: string) => {
    setDialog(null);
    setNotice(message);
  };
  // Stable, so a live update re-renders only the card or row it changed.
  const onDelete = useCallback(
    (environment: Environment) => setDialog({ kind: "delete", environment }),
    [],
  );

  return (
    <Stack spacing={3}>
      <StatCards
        summary={summary.data}
        status={status}
        onStatus={(next) => update({ status: next })}
      />
      {summary.isError && <Alert severity="error">{errorMessage(summary.error)}</Alert>}

      {/* Wraps: on a phone (or beside the navigation) the buttons go under the filters. */}
      <Stack direction="row" spacing={2} useFlexGap flexWrap="wrap" alignItems="flex-start">
        <Box sx={{ flex: "1 1 320px", minWidth: 0 }}>
          <EnvironmentFilters
            search={searchBox.text}
            onSearch={searchBox.setText}
            status={status}
            onStatus={(next) => update({ status: next })}
            sort={sort}
            onSort={(next) => update({ sort: next })}
            tag={tag}
            onTag={(next) => update({ tag: next })}
            freeNow={freeNow}
            onFreeNow={(next) => update({ freeNow: next })}
            tagCounts={summary.data?.byTag ?? {}}
            view={view}
            onView={setView}
          />
        </Box>
        {canManage && (
          <Stack direction="row" spacing={1} useFlexGap flexWrap="wrap">
            <CreateEnvironmentButtons
              importLabel="Import / export"
              onImport={() => setDialog({ kind: "importExport" })}
            />
          </Stack>
        )}
      </Stack>

      <GroupingControls
        groupBy={groupBy}
        columnsBy={columnsBy}
        onChange={(change) => update(change)}
        metadataKeys={metadataKeys(environments)}
      />
      {view === "cards" && !grouped && slots.SparklineScaleToggle && (
        <Box>
          <slots.SparklineScaleToggle />
        </Box>
      )}

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

      <BulkSelection
        enabled={selectable}
        shown={environments}
        BulkOperationDialog={slots.BulkOperationDialog ?? NoBulkDialog}
      >
        {grouped && list.data && list.data.pagination.total > GROUPED_LIMIT && (
          <Alert severity="info">
            Grouping the first {GROUPED_LIMIT} of {list.data.pagination.total} environments:
            filter to group the others.
          </Alert>
        )}
        {environments.length > 0 &&
          (grouped ? (
            <Paper variant="outlined">
              <GroupedView environments={environments} groupBy={groupBy} columnsBy={columnsBy} />
            </Paper>
          ) : view === "cards" ? (
            <VirtualCardGrid
              environments={environments}
              canManage={canManage}
              onDelete={onDelete}
              sparklines={sparklines}
              slots={cardSlots}
            />
          ) : (
            <Paper variant="outlined">
              <EnvironmentsTable
                environments={environments}
                canManage={canManage}
                onDelete={onDelete}
                slots={cardSlots}
              />
            </Paper>
          ))}
      </BulkSelection>

      {!grouped && list.data && list.data.pagination.total > 0 && (
        <TablePagination
          component="div"
          count={list.data.pagination.total}
          page={Math.min(page, lastPage ?? page)}
          rowsPerPage={limit}
          rowsPerPageOptions={[...PAGE_SIZES]}
          labelRowsPerPage="Per page:"
          onPageChange={(_event, next) => changePage(next)}
          onRowsPerPageChange={(event) => update({ limit: Number(event.target.value) })}
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
