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
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";

import ListPagination from "../../components/ListPagination";
import { errorMessage } from "../../lib/serverErrors";
import CreateCredentialDialog from "./CreateCredentialDialog";
import CredentialsTable from "./CredentialsTable";
import DeleteCredentialDialog from "./DeleteCredentialDialog";
import EditCredentialDialog from "./EditCredentialDialog";
import { type Credential, credentialQueries } from "./queries";

type OpenDialog = { kind: "create" } | { kind: "edit" | "delete"; credential: Credential } | null;

/** Page through, create, edit and delete the stored SSH keys and passwords. */
export default function CredentialsManager() {
  const [page, setPage] = useState(0);
  const [limit, setLimit] = useState(20);
  const [dialog, setDialog] = useState<OpenDialog>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const credentials = useQuery(credentialQueries.list({ page: page + 1, limit }));
  const emptyPage = credentials.data?.credentials.length === 0 && page > 0;

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
          SSH keys and passwords environments connect with. Secrets are stored encrypted and never
          shown again.
        </Typography>
        <Button
          variant="contained"
          startIcon={<AddIcon />}
          onClick={() => setDialog({ kind: "create" })}
          sx={{ flexShrink: 0, ml: 2 }}
        >
          New credential
        </Button>
      </Stack>

      {credentials.isError && <Alert severity="error">{errorMessage(credentials.error)}</Alert>}
      <Paper variant="outlined">
        {credentials.isFetching ? (
          <LinearProgress aria-label="Loading credentials" />
        ) : (
          <Box sx={{ height: 4 }} />
        )}
        {credentials.data && (
          <>
            <CredentialsTable
              credentials={credentials.data.credentials}
              onEdit={(credential) => setDialog({ kind: "edit", credential })}
              onDelete={(credential) => setDialog({ kind: "delete", credential })}
            />
            {credentials.data.credentials.length === 0 && (
              <Typography color="text.secondary" sx={{ p: 2 }}>
                No credentials yet.
              </Typography>
            )}
            <ListPagination
              total={credentials.data.pagination.total}
              page={page}
              limit={limit}
              onPageChange={setPage}
              onLimitChange={setLimit}
            />
          </>
        )}
      </Paper>

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
      <Snackbar
        open={notice !== null}
        autoHideDuration={5000}
        onClose={() => setNotice(null)}
        message={notice}
      />
    </Stack>
  );
}
