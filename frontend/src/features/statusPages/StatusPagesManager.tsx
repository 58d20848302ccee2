import { Stack, Typography } from "@mui/material";
import { useQuery } from "@tanstack/react-query";

import ListPanel from "../../components/ListPanel";
import ListToolbar from "../../components/ListToolbar";
import NoticeSnackbar from "../../components/NoticeSnackbar";
import type { ScopeWidgets } from "../../components/slots";
import { useListDialogs } from "../../components/useListDialogs";
import { usePaging } from "../../components/usePaging";
import DeleteStatusPageDialog from "./DeleteStatusPageDialog";
import { type StatusPage, statusPageQueries } from "./queries";
import StatusPageDialog from "./StatusPageDialog";
import StatusPagesTable from "./StatusPagesTable";

type OpenDialog = { kind: "create" } | { kind: "edit" | "delete"; page: StatusPage };

/** Page through the status pages; create, change and delete them (admins). */
export default function StatusPagesManager({ scopeWidgets }: { scopeWidgets: ScopeWidgets }) {
  const paging = usePaging();
  const pages = useQuery(statusPageQueries.list(paging.request));
  const { dialog, open, close, done, notice, dismissNotice } = useListDialogs<OpenDialog>();

  return (
    <Stack spacing={2}>
      <ListToolbar createLabel="New status page" onCreate={() => open({ kind: "create" })}>
        <Typography color="text.secondary">
          A read-only page per group of environments: health, current version and 90 days of
          uptime, nothing else. Private unless you make it public.
        </Typography>
      </ListToolbar>

      <ListPanel
        query={pages}
        items={pages.data?.statusPages}
        paging={paging}
        loadingLabel="Loading status pages"
        emptyText="No status pages yet."
      >
        {(rows) => (
          <StatusPagesTable
            pages={rows}
            onEdit={(page) => open({ kind: "edit", page })}
            onDelete={(page) => open({ kind: "delete", page })}
            ScopeChips={scopeWidgets.ScopeChips}
          />
        )}
      </ListPanel>

      {(dialog?.kind === "create" || dialog?.kind === "edit") && (
        <StatusPageDialog
          page={dialog.kind === "edit" ? dialog.page : null}
          scopeWidgets={scopeWidgets}
          onClose={close}
          onSaved={(saved) => done(`${dialog.kind === "edit" ? "Saved" : "Created"} ${saved.title}.`)}
        />
      )}
      {dialog?.kind === "delete" && (
        <DeleteStatusPageDialog
          page={dialog.page}
          onClose={close}
          onDeleted={(deleted) => done(`Deleted ${deleted.title}.`)}
        />
      )}
      <NoticeSnackbar notice={notice} onClose={dismissNotice} />
    </Stack>
  );
}
