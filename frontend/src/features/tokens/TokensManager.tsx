import { Stack, Typography } from "@mui/material";
import { useQuery } from "@tanstack/react-query";

import ListPanel from "../../components/ListPanel";
import ListToolbar from "../../components/ListToolbar";
import NoticeSnackbar from "../../components/NoticeSnackbar";
import { useListDialogs } from "../../components/useListDialogs";
import { usePaging } from "../../components/usePaging";
import type { Role } from "../../lib/roles";
import CreateTokenDialog from "./CreateTokenDialog";
import RevokeTokenDialog from "./RevokeTokenDialog";
import TokenSecretDialog from "./TokenSecretDialog";
import TokensTable from "./TokensTable";
import { type ApiToken, type ApiTokenCreated, tokenQueries } from "./queries";

type OpenDialog =
  | { kind: "create" }
  | { kind: "secret"; created: ApiTokenCreated }
  | { kind: "revoke"; token: ApiToken };

/** List, create and revoke the caller's API tokens. */
export default function TokensManager({ role }: { role: Role }) {
  const paging = usePaging();
  const tokens = useQuery(tokenQueries.mine(paging.request));
  // The secret lives only in the dialog state, and only until its dialog is closed.
  const { dialog, open, close, done, notice, dismissNotice } = useListDialogs<OpenDialog>();

  return (
    <Stack spacing={2}>
      <ListToolbar createLabel="Create token" onCreate={() => open({ kind: "create" })}>
        <Typography color="text.secondary">
          Scripts and CI jobs call the Envdeck API with a token as{" "}
          <code>Authorization: Bearer</code>. A token acts as you, never with a higher role than
          yours.
        </Typography>
      </ListToolbar>

      <ListPanel
        query={tokens}
        items={tokens.data?.tokens}
        paging={paging}
        loadingLabel="Loading API tokens"
        emptyText="You have no API tokens."
      >
        {(rows) => (
          <TokensTable tokens={rows} onRevoke={(token) => open({ kind: "revoke", token })} />
        )}
      </ListPanel>

      {dialog?.kind === "create" && (
        <CreateTokenDialog
          role={role}
          onClose={close}
          onCreated={(created) => open({ kind: "secret", created })}
        />
      )}
      {dialog?.kind === "secret" && <TokenSecretDialog created={dialog.created} onClose={close} />}
      {dialog?.kind === "revoke" && (
        <RevokeTokenDialog
          token={dialog.token}
          onClose={close}
          onRevoked={(token) => done(`Revoked “${token.name}”.`)}
        />
      )}
      <NoticeSnackbar notice={notice} onClose={dismissNotice} />
    </Stack>
  );
}
