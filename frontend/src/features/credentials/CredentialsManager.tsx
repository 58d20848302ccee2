import { Stack, Typography } from "@mui/material";
import { useQuery } from "@tanstack/react-query";

import ListPanel from "../../components/ListPanel";
import ListToolbar from "../../components/ListToolbar";
import NoticeSnackbar from "../../components/NoticeSnackbar";
import { useListDialogs } from "../../components/useListDialogs";
import { usePaging } from "../../components/usePaging";
import CreateCredentialDialog from "./CreateCredentialDialog";
import CredentialsTable from "./CredentialsTable";
import DeleteCredentialDialog from "./DeleteCredentialDialog";
import EditCredentialDialog from "./EditCredentialDialog";
import { type Credential, credentialQueries } from "./queries";

type OpenDialog = { kind: "create" } | { kind: "edit" | "delete"; credential: Credential };

/** Page through, create, edit and delete the stored SSH keys and passwords. */
export default function CredentialsManager() {
  const paging = usePaging();
  const credentials = useQuery(credentialQueries.list(paging.request));
  const { dialog, open, close, done, notice, dismissNotice } = useListDialogs<OpenDialog>();

  return (
    <Stack spacing={2}>
      <ListToolbar createLabel="New credential" onCreate={() => open({ kind: "create" })}>
        <Typography color="text.secondary">
          SSH keys and passwords environments connect with. Secrets are stored encrypted and never
          shown again.
        </Typography>
      </ListToolbar>

      <ListPanel
        query={credentials}
        items={credentials.data?.credentials}
        paging={paging}
        loadingLabel="Loading credentials"
        emptyText="No credentials yet."
      >
        {(rows) => (
          <CredentialsTable
            credentials={rows}
            onEdit={(credential) => open({ kind: "edit", credential })}
            onDelete={(credential) => open({ kind: "delete", credential })}
          />
        )}
      </ListPanel>

      {dialog?.kind === "create" && (
        <CreateCredentialDialog
          onClose={close}
          onCreated={(credential) => done(`Created ${credential.name}.`)}
        />
      )}
      {dialog?.kind === "edit" && (
        <EditCredentialDialog
          credential={dialog.credential}
          onClose={close}
          onSaved={(credential) => done(`Saved ${credential.name}.`)}
        />
      )}
      {dialog?.kind === "delete" && (
        <DeleteCredentialDialog
          credential={dialog.credential}
          onClose={close}
          onDeleted={(credential) => done(`Deleted ${credential.name}.`)}
        />
      )}
      <NoticeSnackbar notice={notice} onClose={dismissNotice} />
    </Stack>
  );
}
