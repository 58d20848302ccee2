import {
  Alert,
  Box,
  LinearProgress,
  MenuItem,
  Paper,
  Stack,
  TablePagination,
  TextField,
  Typography,
} from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useSearchParams } from "react-router";

import type { FilterPickers } from "../../components/slots";
import { hasRole } from "../../lib/roles";
import { errorMessage } from "../../lib/serverErrors";
import { useSession } from "../../lib/useSession";
import { type OperationView, PAGE_SIZES, readView, writeView } from "./filters";
import OperationDialog from "./OperationDialog";
import OperationsTable from "./OperationsTable";
import { operationQueries } from "./queries";
import {
  OPERATION_STATUSES,
  OPERATION_TYPES,
  type OperationStatus,
  type OperationType,
  STATUS_LABELS,
  TYPE_LABELS,
} from "./types";

interface OperationsViewProps {
  /** The environment and user filters (from the page). */
  pickers: FilterPickers;
  /** One environment's operations (its details tab); every environment's when left out. */
  environmentId?: string;
}

/**
 * A server-paged list of operations with its filters in the address; rows change live as
 * operation_update frames arrive (useLiveOperations keeps the cache).
 */
export default function OperationsView({ environmentId, pickers }: OperationsViewProps) {
  const { EnvironmentPicker, UserPicker } = pickers;
  const [searchParams, setSearchParams] = useSearchParams();
  const view = readView(searchParams);
  const environment = environmentId ?? view.environmentId;
  const { session } = useSession();
  const isAdmin = session !== null && hasRole(session.user.role, "admin");
  const [open, setOpen] = useState<string | null>(null);
  const list = useQuery(
    operationQueries.list({
      environmentId: environment,
      type: view.type,
      status: view.status,
      userId: isAdmin ? view.userId : null,
      page: view.page + 1,
      limit: view.limit,
    }),
  );
  const change = (next: Partial<OperationView>) =>
    setSearchParams(writeView(searchParams, { ...view, page: 0, ...next }), { replace: true });
  const operations = list.data?.operations ?? [];
  const usernames = new Map(
    operations.map((op) => [op.requestedBy?.userId ?? "", op.requestedBy?.username ?? ""]),
  );
  const filtered = Boolean(
    view.type || view.status || (!environmentId && view.environmentId) || view.userId,
  );
  return (
    <Stack spacing={2}>
      <Stack
        direction="row"
        spacing={2}
        useFlexGap
        flexWrap="wrap"
        role="search"
        aria-label="Operation filters"
      >
        {!environmentId && (
          <EnvironmentPicker
            value={view.environmentId}
            onChange={(id) => change({ environmentId: id })}
          />
        )}
        <TextField
          select
          size="small"
          label="Type"
          value={view.type ?? ""}
          onChange={(event) =>
            change({ type: (event.target.value || null) as OperationType | null })
          }
          sx={{ minWidth: 150 }}
        >
          <MenuItem value="">All types</MenuItem>
          {OPERATION_TYPES.map((type) => (
            <MenuItem key={type} value={type}>
              {TYPE_LABELS[type]}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          select
          size="small"
          label="Status"
          value={view.status ?? ""}
          onChange={(event) =>
            change({ status: (event.target.value || null) as OperationStatus | null })
          }
          sx={{ minWidth: 150 }}
        >
          <MenuItem value="">All statuses</MenuItem>
          {OPERATION_STATUSES.map((status) => (
            <MenuItem key={status} value={status}>
              {STATUS_LABELS[status]}
            </MenuItem>
          ))}
        </TextField>
        {isAdmin && (
          <UserPicker
            value={view.userId}
            valueLabel={view.userId ? (usernames.get(view.userId) ?? null) : null}
            onChange={(id) => change({ userId: id })}
          />
        )}
      </Stack>
      {list.isError && <Alert severity="error">{errorMessage(list.error)}</Alert>}
      {list.isFetching ? (
        <LinearProgress aria-label="Loading operations" />
      ) : (
        <Box sx={{ height: 4 }} />
      )}
      {list.data && operations.length === 0 ? (
        <Paper variant="outlined" sx={{ p: 4, textAlign: "center" }}>
          <Typography color="text.secondary">
            {filtered ? "No operation matches these filters." : "No operation has run yet."}
          </Typography>
        </Paper>
      ) : (
        operations.length > 0 && (
          <Paper variant="outlined">
            <OperationsTable
              operations={operations}
              hideEnvironment={Boolean(environmentId)}
              onOpen={(operation) => setOpen(operation.id)}
            />
          </Paper>
        )
      )}
      {list.data && list.data.pagination.total > 0 && (
        <TablePagination
          component="div"
          count={list.data.pagination.total}
          page={view.page}
          rowsPerPage={view.limit}
          rowsPerPageOptions={PAGE_SIZES}
          onPageChange={(_event, page) => change({ page })}
          // A new page size starts again at page one.
          onRowsPerPageChange={(event) => change({ limit: Number(event.target.value) })}
        />
      )}
      {open && <OperationDialog operationId={open} onClose={() => setOpen(null)} />}
    </Stack>
  );
}
