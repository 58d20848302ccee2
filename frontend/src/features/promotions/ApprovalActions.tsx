import { Alert, Button, Stack } from "@mui/material";
import { useState } from "react";

import { errorMessage } from "../../lib/serverErrors";
import { useInvalidatingMutation } from "../../lib/useInvalidatingMutation";
import { approvePromotion, promotionQueries } from "./queries";
import RejectPromotionDialog from "./RejectPromotionDialog";
import type { Promotion } from "./types";

/** An admin's Approve and Reject of a promotion that waits; a refusal says why. */
export default function ApprovalActions({ promotion }: { promotion: Promotion }) {
  const [rejecting, setRejecting] = useState(false);
  const approve = useInvalidatingMutation({
    mutationFn: () => approvePromotion(promotion.id),
    invalidates: promotionQueries.all(),
    onSuccess: () => undefined,
  });
  return (
    <Stack spacing={1}>
      {approve.isError && <Alert severity="error">{errorMessage(approve.error)}</Alert>}
      <Stack direction="row" spacing={1}>
        <Button variant="contained" onClick={() => approve.mutate()} loading={approve.isPending}>
          Approve
        </Button>
        <Button color="error" onClick={() => setRejecting(true)}>
          Reject
        </Button>
      </Stack>
      {rejecting && (
        <RejectPromotionDialog
          promotion={promotion}
          onClose={() => setRejecting(false)}
          onDone={() => setRejecting(false)}
        />
      )}
    </Stack>
  );
}
