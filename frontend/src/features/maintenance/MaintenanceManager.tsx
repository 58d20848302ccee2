import AddIcon from "@mui/icons-material/Add";
import {
  Alert,
  Box,
  Button,
  LinearProgress,
  Paper,
  Snackbar,
  Stack,
  Typography,
} from "@mui/material";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";

import ListPagination from "../../components/ListPagination";
import { errorMessage } from "../../lib/serverErrors";
import DeleteMaintenanceWindowDialog from "./DeleteMaintenanceWindowDialog";
import MaintenanceTable from "./MaintenanceTable";
import MaintenanceWindowDialog from "./MaintenanceWindowDialog";
import { maintenanceQueries, type MaintenanceWindow, setWindowEnabled } from "./queries";

type OpenDialog =
  { kind: "create" } | { kind: "edit" | "delete"; maintenance: MaintenanceWindow } | null;

/** Page through the maintenance windows; admins also plan, change, switch and delete them. */
export default function MaintenanceManager({ canManage }: { canManage: boolean }) {
  const queryClient = useQueryClient();
  const [page, setPage] = useState(0);
  const [limit, setLimit] = useState(20);
  const [dialog, setDialog] = useState<OpenDialog>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const windows = useQuery(maintenanceQueries.list({ page: page + 1, limit }));
  const emptyPage = windows.data?.maintenanceWindows.length === 0 && page > 0;
  const toggle = useMutation({
    mutationFn: ({ id, enabled }: { id: string; enabled: boolean }) =>
      setWindowEnabled(id, enabled),
    onSuccess: async (saved) => {
      await queryClient.invalidateQueries({ queryKey: maintenanceQueries.all() });
      setNotice(`${saved.enabled ? "Enabled" : "Disabled"} ${saved.name}.`);
    },
    onError: (error) => setNotice(errorMessage(error)),
  });

  useEffect(() => {
    if (emptyPage) setPage((current) => Math.max(current - 1, 0));
  }, [emptyPage]);

  const close = () => setDialog(null);
  const done = (message: string) => {
    setDialog(null);
    setNotice(message);
  };

  return (
    <Stack spacing={2}>
      <Stack direction="row" alignItems="center">
        <Typography color="text.secondary" sx={{ flexGrow: 1 }}>
          Planned quiet for some environments: while a window runs, their alerts are silenced and
          the dashboard shows “Maintenance”. Health checks still run.
        </Typography>
        {canManage && (
          <Button
            variant="contained"
            startIcon={<AddIcon />}
            onClick={() => setDialog({ kind: "create" })}
            sx={{ flexShrink: 0, ml: 2 }}
          >
            New window
          </Button>
        )}
      </Stack>

      {windows.isError && <Alert severity="error">{errorMessage(windows.error)}</Alert>}
      <Paper variant="outlined">
        {windows.isFetching ? (
          <LinearProgress aria-label="Loading maintenance windows" />
        ) : (
          <Box sx={{ height: 4 }} />
        )}
        {windows.data && (
          <>
            <MaintenanceTable
              windows={windows.data.maintenanceWindows}
              canManage={canManage}
              toggling={toggle.isPending ? (toggle.variables?.id ?? null) : null}
              onToggle={(maintenance, enabled) => toggle.mutate({ id: maintenance.id, enabled })}
              onEdit={(maintenance) => setDialog({ kind: "edit", maintenance })}
              onDelete={(maintenance) => setDialog({ kind: "delete", maintenance })}
            />
            {windows.data.maintenanceWindows.length === 0 && (
              <Typography color="text.secondary" sx={{ p: 2 }}>
                No maintenance windows yet.
              </Typography>
            )}
            <ListPagination
              total={windows.data.pagination.total}
              page={page}
              limit={limit}
              onPageChange={setPage}
              onLimitChange={setLimit}
            />
          </>
        )}
      </Paper>

      {dialog?.kind === "create" && (
        <MaintenanceWindowDialog
          maintenance={null}
          onClose={close}
          onSaved={(saved) => done(`Created ${saved.name}.`)}
        />
      )}
      {dialog?.kind === "edit" && (
        <MaintenanceWindowDialog
          maintenance={dialog.maintenance}
          onClose={close}
          onSaved={(saved) => done(`Saved ${saved.name}.`)}
        />
      )}
      {dialog?.kind === "delete" && (
        <DeleteMaintenanceWindowDialog
          maintenance={dialog.maintenance}
          onClose={close}
          onDeleted={(deleted) => done(`Deleted ${deleted.name}.`)}
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
