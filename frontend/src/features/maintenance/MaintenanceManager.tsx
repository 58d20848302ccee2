import { Stack, Typography } from "@mui/material";
import { useQuery } from "@tanstack/react-query";

import ListPanel from "../../components/ListPanel";
import ListToolbar from "../../components/ListToolbar";
import NoticeSnackbar from "../../components/NoticeSnackbar";
import type { ScopeWidgets } from "../../components/slots";
import { useListDialogs } from "../../components/useListDialogs";
import { usePaging } from "../../components/usePaging";
import { errorMessage } from "../../lib/serverErrors";
import { useInvalidatingMutation } from "../../lib/useInvalidatingMutation";
import DeleteMaintenanceWindowDialog from "./DeleteMaintenanceWindowDialog";
import MaintenanceTable from "./MaintenanceTable";
import MaintenanceWindowDialog from "./MaintenanceWindowDialog";
import { maintenanceQueries, type MaintenanceWindow, setWindowEnabled } from "./queries";

type OpenDialog = { kind: "create" } | { kind: "edit" | "delete"; maintenance: MaintenanceWindow };

interface MaintenanceManagerProps {
  /** Admins plan, change, switch and delete windows; everyone else reads. */
  canManage: boolean;
  /** How a window's scope is shown and picked (from the page). */
  scopeWidgets: ScopeWidgets;
}

/** Page through the maintenance windows; admins also plan, change, switch and delete them. */
export default function MaintenanceManager({ canManage, scopeWidgets }: MaintenanceManagerProps) {
  const paging = usePaging();
  const windows = useQuery(maintenanceQueries.list(paging.request));
  const { dialog, open, close, done, notice, notify, dismissNotice } =
    useListDialogs<OpenDialog>();
  const toggle = useInvalidatingMutation({
    mutationFn: ({ id, enabled }: { id: string; enabled: boolean }) =>
      setWindowEnabled(id, enabled),
    invalidates: maintenanceQueries.all(),
    onSuccess: (saved) => notify(`${saved.enabled ? "Enabled" : "Disabled"} ${saved.name}.`),
    onError: (error) => notify(errorMessage(error)),
  });

  return (
    <Stack spacing={2}>
      <ListToolbar
        createLabel="New window"
        onCreate={canManage ? () => open({ kind: "create" }) : undefined}
      >
        <Typography color="text.secondary">
          Planned quiet for some environments: while a window runs, their alerts are silenced and
          the dashboard shows “Maintenance”. Health checks still run.
        </Typography>
      </ListToolbar>

      <ListPanel
        query={windows}
        items={windows.data?.maintenanceWindows}
        paging={paging}
        loadingLabel="Loading maintenance windows"
        emptyText="No maintenance windows yet."
      >
        {(rows) => (
          <MaintenanceTable
            windows={rows}
            canManage={canManage}
            toggling={toggle.isPending ? (toggle.variables?.id ?? null) : null}
            onToggle={(maintenance, enabled) => toggle.mutate({ id: maintenance.id, enabled })}
            onEdit={(maintenance) => open({ kind: "edit", maintenance })}
            onDelete={(maintenance) => open({ kind: "delete", maintenance })}
            ScopeChips={scopeWidgets.ScopeChips}
          />
        )}
      </ListPanel>

      {(dialog?.kind === "create" || dialog?.kind === "edit") && (
        <MaintenanceWindowDialog
          maintenance={dialog.kind === "edit" ? dialog.maintenance : null}
          scopeWidgets={scopeWidgets}
          onClose={close}
          onSaved={(saved) =>
            done(`${dialog.kind === "edit" ? "Saved" : "Created"} ${saved.name}.`)
          }
        />
      )}
      {dialog?.kind === "delete" && (
        <DeleteMaintenanceWindowDialog
          maintenance={dialog.maintenance}
          onClose={close}
          onDeleted={(deleted) => done(`Deleted ${deleted.name}.`)}
        />
      )}
      <NoticeSnackbar notice={notice} onClose={dismissNotice} />
    </Stack>
  );
}
