import PersonAddIcon from "@mui/icons-material/PersonAdd";
import SearchIcon from "@mui/icons-material/Search";
import { InputAdornment, Stack, TextField } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import ListPanel from "../../components/ListPanel";
import ListToolbar from "../../components/ListToolbar";
import NoticeSnackbar from "../../components/NoticeSnackbar";
import { useListDialogs } from "../../components/useListDialogs";
import { usePaging } from "../../components/usePaging";
import { useDebouncedValue } from "../../lib/useDebouncedValue";
import CreateUserDialog from "./CreateUserDialog";
import DeleteUserDialog from "./DeleteUserDialog";
import EditUserDialog from "./EditUserDialog";
import ResetPasswordDialog from "./ResetPasswordDialog";
import UnlockSignInDialog from "./UnlockSignInDialog";
import UsersTable from "./UsersTable";
import { type User, userQueries } from "./queries";

type OpenDialog =
  | { kind: "create" }
  | { kind: "edit" | "reset" | "unlock" | "delete"; user: User };

const SEARCH_DELAY_MS = 300;

/** Search, page through, create, edit, reset, unlock and delete users. */
export default function UsersManager({ currentUserId }: { currentUserId: string }) {
  const [search, setSearch] = useState("");
  const q = useDebouncedValue(search.trim(), SEARCH_DELAY_MS);
  const paging = usePaging();
  const users = useQuery(userQueries.list({ ...paging.request, q }));
  const { dialog, open, close, done, notice, dismissNotice } = useListDialogs<OpenDialog>();

  return (
    <Stack spacing={2}>
      <ListToolbar
        createLabel="Create user"
        createIcon={<PersonAddIcon />}
        onCreate={() => open({ kind: "create" })}
      >
        <TextField
          type="search"
          label="Search users"
          placeholder="Username or email"
          size="small"
          value={search}
          onChange={(event) => {
            setSearch(event.target.value);
            paging.setPage(0);
          }}
          sx={{ minWidth: 280 }}
          slotProps={{
            input: {
              startAdornment: (
                <InputAdornment position="start">
                  <SearchIcon fontSize="small" />
                </InputAdornment>
              ),
            },
          }}
        />
      </ListToolbar>

      <ListPanel
        query={users}
        items={users.data?.users}
        paging={paging}
        loadingLabel="Loading users"
        emptyText={q ? `No user matches “${q}”.` : "No users yet."}
      >
        {(rows) => (
          <UsersTable
            users={rows}
            currentUserId={currentUserId}
            onEdit={(user) => open({ kind: "edit", user })}
            onResetPassword={(user) => open({ kind: "reset", user })}
            onUnlock={(user) => open({ kind: "unlock", user })}
            onDelete={(user) => open({ kind: "delete", user })}
          />
        )}
      </ListPanel>

      {dialog?.kind === "create" && (
        <CreateUserDialog onClose={close} onCreated={(user) => done(`Created ${user.username}.`)} />
      )}
      {dialog?.kind === "edit" && (
        <EditUserDialog
          user={dialog.user}
          onClose={close}
          onSaved={(user) => done(`Saved ${user.username}.`)}
        />
      )}
      {dialog?.kind === "reset" && (
        <ResetPasswordDialog
          user={dialog.user}
          onClose={close}
          onReset={(user) => done(`Set a new password for ${user.username}.`)}
        />
      )}
      {dialog?.kind === "unlock" && (
        <UnlockSignInDialog
          user={dialog.user}
          onClose={close}
          onUnlocked={(user) => done(`Unlocked sign-in of ${user.username}.`)}
        />
      )}
      {dialog?.kind === "delete" && (
        <DeleteUserDialog
          user={dialog.user}
          onClose={close}
          onDeleted={(user) => done(`Deleted ${user.username}.`)}
        />
      )}
      <NoticeSnackbar notice={notice} onClose={dismissNotice} />
    </Stack>
  );
}
