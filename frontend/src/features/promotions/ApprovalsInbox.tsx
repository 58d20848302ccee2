import { Alert, Button, Link, Stack, TableCell, Typography } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link as RouterLink } from "react-router";

import DataTable from "../../components/DataTable";
import { formatDateTime } from "../../lib/formatDate";
import { errorMessage } from "../../lib/serverErrors";
import { useInvalidatingMutation } from "../../lib/useInvalidatingMutation";
import { approvePromotion, promotionQueries } from "./queries";
import RejectPromotionDialog from "./RejectPromotionDialog";
import type { Promotion } from "./types";

// The inbox shows the first page of those waiting: one open promotion per stage keeps it short.
const WAITING = { status: "awaiting_approval", page: 1, limit: 50 } as const;

interface ApprovalsInboxProps {
  /** The admin reading it: their own requests cannot be approved by them (two-person rule). */
  userId: string;
}

/** Promotions waiting for an admin's approval: approve, or reject with a reason. */
export default function ApprovalsInbox({ userId }: ApprovalsInboxProps) {
  const waiting = useQuery(promotionQueries.list(WAITING));
  const [rejecting, setRejecting] = useState<Promotion | null>(null);
  const [refusal, setRefusal] = useState<{ id: string; message: string } | null>(null);
  const approve = useInvalidatingMutation({
    mutationFn: (promotion: Promotion) => approvePromotion(promotion.id),
    invalidates: promotionQueries.all(),
    onSuccess: () => setRefusal(null),
    onError: (error, promotion) => setRefusal({ id: promotion.id, message: errorMessage(error) }),
  });
  const items = waiting.data?.items ?? [];

  return (
    <Stack spacing={1} component="section" aria-label="Approvals">
      <Typography variant="h6" component="h2">
        Awaiting approval
      </Typography>
      {waiting.isError && <Alert severity="error">{errorMessage(waiting.error)}</Alert>}
      {refusal && (
        <Alert severity="error" onClose={() => setRefusal(null)}>
          {refusal.message}
        </Alert>
      )}
      {waiting.isSuccess && items.length === 0 && (
        <Typography color="text.secondary">No promotion is waiting for approval.</Typography>
      )}
      {items.length > 0 && (
        <DataTable
          label="Promotions awaiting approval"
          headings={["Promotion", "Requested by", "Requested"]}
          rows={items}
          cells={(promotion) => (
            <>
              <TableCell>
                <Link component={RouterLink} to={`/promotions/${promotion.id}`}>
                  {promotion.pipelineName}: {promotion.version} to {promotion.stage}
                </Link>
              </TableCell>
              <TableCell>
                {promotion.requestedBy.username}
                {promotion.requestedBy.userId === userId && " (you)"}
              </TableCell>
              <TableCell>{formatDateTime(promotion.createdAt)}</TableCell>
            </>
          )}
          actions={(promotion) => {
            const name = `${promotion.version} to ${promotion.stage}`;
            return (
              <>
                <Button
                  size="small"
                  aria-label={`Approve ${name}`}
                  loading={approve.isPending && approve.variables?.id === promotion.id}
                  onClick={() => approve.mutate(promotion)}
                >
                  Approve
                </Button>
                <Button
                  size="small"
                  color="error"
                  aria-label={`Reject ${name}`}
                  onClick={() => setRejecting(promotion)}
                >
                  Reject
                </Button>
              </>
            );
          }}
        />
      )}
      {rejecting && (
        <RejectPromotionDialog
          promotion={rejecting}
          onClose={() => setRejecting(null)}
          onDone={() => setRejecting(null)}
        />
      )}
    </Stack>
  );
}
