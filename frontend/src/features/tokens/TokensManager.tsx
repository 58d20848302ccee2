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
import type { Role } from "../../lib/roles";
import { errorMessage } from "../../lib/serverErrors";
import CreateTokenDialog from "./CreateTokenDialog";
import RevokeTokenDialog from "./RevokeTokenDialog";
import TokenSecretDialog from "./TokenSecretDialog";
import TokensTable from "./TokensTable";
import { type ApiToken, type ApiTokenCreated, tokenQueries } from "./queries";

type OpenDialog =
  | { kind: "create" }
  | { kind: "secret"; created: ApiTokenCreated }
  | { kind: "revoke"; token: ApiToken }
  | null;

/** List, create and revoke the caller's API tokens. */
export default function TokensManager({ role }: { role: Role }) {
  const [page, setPage] = useState(0);
  const [limit, setLimit] = useState(20);
  // The secret lives only in this state, and only until its dialog is closed.
  const [dialog, setDialog] = useState<OpenDialog>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const tokens = useQuery(tokenQueries.mine(page + 1, limit));
  const emptyPage = tokens.data?.tokens.length === 0 && page > 0;

  // Revoking the last token of the last page leaves it empty: show the page before.
  useEffect(() => {
    if (emptyPage) setPage((current) => Math.max(current - 1, 0));
  }, [emptyPage]);
  const close = () => setDialog(null);

  return (
    <Stack spacing={2}>
      <Stack direction={{ xs: "column", sm: "row" }} spacing={2} alignItems={{ sm: "center" }}>
        <Typography color="text.secondary" sx={{ flexGrow: 1 }}>
          Scripts and CI jobs call the Envdeck API with a token as{" "}
          <code>Authorization: Bearer</code>. A token acts as you, never with a higher role than
          yours.
        </Typography>
        <Button
          variant="contained"
          startIcon={<AddIcon />}
          onClick={() => setDialog({ kind: "create" })}
          sx={{ flexShrink: 0 }}
        >
          Create token
        </Button>
      </Stack>

      {tokens.isError && <Alert severity="error">{errorMessage(tokens.error)}</Alert>}
      <Paper variant="outlined">
        {tokens.isFetching ? (
          <LinearProgress aria-label="Loading API tokens" />
        ) : (
          <Box sx={{ height: 4 }} />
        )}
        {tokens.data && (
          <>
            <TokensTable
              tokens={tokens.data.tokens}
              onRevoke={(token) => setDialog({ kind: "revoke", token })}
            />
            {tokens.data.tokens.length === 0 && (
              <Typography color="text.secondary" sx={{ p: 2 }}>
                You have no API tokens.
              </Typography>
            )}
            <ListPagination
              total={tokens.data.pagination.total}
              page={page}
              limit={limit}
              onPageChange={setPage}
              onLimitChange={setLimit}
            />
          </>
        )}
      </Paper>

      {dialog?.kind === "create" && (
        <CreateTokenDialog
          role={role}
          onClose={close}
          onCreated={(created) => setDialog({ kind: "secret", created })}
        />
      )}
      {dialog?.kind === "secret" && <TokenSecretDialog created={dialog.created} onClose={close} />}
      {dialog?.kind === "revoke" && (
        <RevokeTokenDialog
          token={dialog.token}
          onClose={close}
          onRevoked={(token) => {
            close();
            setNotice(`Revoked “${token.name}”.`);
          }}
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
