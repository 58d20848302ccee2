import PersonAddIcon from "@mui/icons-material/PersonAdd";
import SearchIcon from "@mui/icons-material/Search";
import {
  Alert,
  Box,
  Button,
  InputAdornment,
  LinearProgress,
  Paper,
  Snackbar,
  Stack,
  TextField,
  Typography,
} from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";

import ListPagination from "../../components/ListPagination";
import { errorMessage } from "../../lib/serverErrors";
import { useDebouncedValue } from "../../lib/useDebouncedValue";
import CreateUserDialog from "./CreateUserDialog";
import DeleteUserDialog from "./DeleteUserDialog";
import EditUserDialog from "./EditUserDialog";
import ResetPasswordDialog from "./ResetPasswordDialog";
import UsersTable from "./UsersTable";
import { type User, userQueries } from "./queries";

type OpenDialog = { kind: "create" } | { kind: "edit" | "reset" | "delete"; user: User } | null;

const SEARCH_DELAY_MS = 300;

/** Search, page through, create, edit, reset and delete users. */
export default function UsersManager({ currentUserId }: { currentUserId: string }) {
  const [search, setSearch] = useState("");
  const q = useDebouncedValue(search.trim(), SEARCH_DELAY_MS);
  const [page, setPage] = useState(0);
  const [limit, setLimit] = useState(20);
  const [dialog, setDialog] = useState<OpenDialog>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const users = useQuery(userQueries.list({ page: page + 1, limit, q }));
  const emptyPage = users.data?.users.length === 0 && page > 0;

  // Deleting the last user of the last page leaves it empty: show the page before.
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
      <Stack direction={{ xs: "column", sm: "row" }} spacing={2} alignItems={{ sm: "center" }}>
        <TextField
          type="search"
          label="Search users"
          placeholder="Username or email"
          size="small"
          value={search}
          onChange={(event) => {
            setSearch(event.target.value);
            setPage(0);
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
        <Box sx={{ flexGrow: 1 }} />
        <Button
          variant="contained"
          startIcon={<PersonAddIcon />}
          onClick={() => setDialog({ kind: "create" })}
        >
          Create user
        </Button>
      </Stack>

      {users.isError && <Alert severity="error">{errorMessage(users.error)}</Alert>}
      <Paper variant="outlined">
        {users.isFetching ? (
          <LinearProgress aria-label="Loading users" />
        ) : (
          <Box sx={{ height: 4 }} />
        )}
        {users.data && (
          <>
            <UsersTable
              users={users.data.users}
              currentUserId={currentUserId}
              onEdit={(user) => setDialog({ kind: "edit", user })}
              onResetPassword={(user) => setDialog({ kind: "reset", user })}
              onDelete={(user) => setDialog({ kind: "delete", user })}
            />
            {users.data.users.length === 0 && (
              <Typography color="text.secondary" sx={{ p: 2 }}>
                {q ? `No user matches “${q}”.` : "No users yet."}
              </Typography>
            )}
            <ListPagination
              total={users.data.pagination.total}
              page={page}
              limit={limit}
              onPageChange={setPage}
              onLimitChange={setLimit}
            />
          </>
        )}
      </Paper>

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
      {dialog?.kind === "delete" && (
        <DeleteUserDialog
          user={dialog.user}
          onClose={close}
          onDeleted={(user) => done(`Deleted ${user.username}.`)}
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
