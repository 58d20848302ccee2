import { Alert, Box, Button, CircularProgress, Link, Stack, Typography } from "@mui/material";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link as RouterLink } from "react-router";

import { formatDateTime } from "../../lib/formatDate";
import { hasRole, type Role } from "../../lib/roles";
import { errorMessage } from "../../lib/serverErrors";
import ApprovalActions from "./ApprovalActions";
import GateList from "./GateList";
import { isOpen } from "./promotionText";
import PromotionStatusChip from "./PromotionStatusChip";
import PromotionTargets from "./PromotionTargets";
import { cancelPromotion, promotionQueries } from "./queries";
import type { PromotionSlots } from "./slots";
import type { Promotion } from "./types";

function Approvals({ promotion }: { promotion: Promotion }) {
  if (promotion.rejection) {
    const { username, at, reason } = promotion.rejection;
    return (
      <Alert severity="error" aria-label="Rejection">
        Rejected by {username} on {formatDateTime(at)}: {reason}
      </Alert>
    );
  }
  if (promotion.approvalsRequired === 0) {
    return <Typography variant="body2">No approval needed.</Typography>;
  }
  const approvals = promotion.approvals ?? [];
  return (
    <Stack spacing={0.5} aria-label="Approvals">
      {approvals.map((approval) => (
        <Typography key={approval.userId} variant="body2">
          Approved by {approval.username} on {formatDateTime(approval.at)}
          {approval.selfApproved && " (their own request)"}
        </Typography>
      ))}
      {approvals.length < promotion.approvalsRequired && (
        <Typography variant="body2" color="text.secondary">
          Waits for an admin other than {promotion.requestedBy.username} to approve it.
        </Typography>
      )}
    </Stack>
  );
}

interface PromotionViewProps {
  promotionId: string;
  user: { id: string; role: Role };
  OperationPanel: PromotionSlots["OperationPanel"];
}

/**
 * One promotion, kept live: its status, gates, approvals and each environment's operation; its
 * requester or an admin may cancel it while it is open.
 */
export default function PromotionView({ promotionId, user, OperationPanel }: PromotionViewProps) {
  const queryClient = useQueryClient();
  const found = useQuery(promotionQueries.detail(promotionId));
  const cancel = useMutation({
    mutationFn: () => cancelPromotion(promotionId),
    onSuccess: (promotion) => {
      queryClient.setQueryData(promotionQueries.detail(promotionId).queryKey, promotion);
      void queryClient.invalidateQueries({ queryKey: promotionQueries.lists() });
    },
  });
  if (found.isPending) return <CircularProgress aria-label="Loading the promotion" />;
  if (found.isError) return <Alert severity="error">{errorMessage(found.error)}</Alert>;
  const promotion = found.data;
  const gates = promotion.gates ?? [];
  const mayCancel =
    isOpen(promotion.status) &&
    (hasRole(user.role, "admin") || promotion.requestedBy.userId === user.id);

  return (
    <Stack spacing={3}>
      <Stack spacing={1} component="section" aria-label="Promotion">
        <Stack direction="row" spacing={1.5} alignItems="center" useFlexGap flexWrap="wrap">
          <Typography variant="h5" component="h2">
            {promotion.version} to {promotion.stage}
          </Typography>
          <PromotionStatusChip status={promotion.status} />
          <Box sx={{ flexGrow: 1 }} />
          {mayCancel && (
            <Button
              color="error"
              variant="outlined"
              onClick={() => cancel.mutate()}
              loading={cancel.isPending}
            >
              Cancel promotion
            </Button>
          )}
        </Stack>
        <Typography variant="body2" color="text.secondary">
          <Link component={RouterLink} to={`/pipelines/${promotion.pipelineId}`}>
            {promotion.pipelineName}
          </Link>
          {` · requested by ${promotion.requestedBy.username}`}
          {` on ${formatDateTime(promotion.createdAt)}`}
          {promotion.startedAt && ` · started ${formatDateTime(promotion.startedAt)}`}
          {promotion.finishedAt && ` · finished ${formatDateTime(promotion.finishedAt)}`}
          {` · ${promotion.maxParallel} at a time`}
          {promotion.rollbackOnFailure ? " · rolls back on failure" : ""}
        </Typography>
        {promotion.message && (
          <Alert severity={promotion.status === "failed" ? "error" : "info"} aria-label="Outcome">
            {promotion.message}
          </Alert>
        )}
        {cancel.isError && <Alert severity="error">{errorMessage(cancel.error)}</Alert>}
      </Stack>
      <Stack spacing={1} component="section" aria-label="Approval">
        <Typography variant="h6" component="h2">
          Approval
        </Typography>
        <Approvals promotion={promotion} />
        {promotion.status === "awaiting_approval" && hasRole(user.role, "admin") && (
          <ApprovalActions promotion={promotion} />
        )}
      </Stack>
      {gates.length > 0 && (
        <Stack spacing={1} component="section" aria-label="Gates">
          <Typography variant="h6" component="h2">
            Gates
          </Typography>
          <GateList gates={gates} label={`Gates into ${promotion.stage}`} />
        </Stack>
      )}
      <PromotionTargets promotion={promotion} OperationPanel={OperationPanel} />
    </Stack>
  );
}
