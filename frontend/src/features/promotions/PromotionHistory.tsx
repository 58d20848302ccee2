import { Link, Stack, TableCell, Typography } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { Link as RouterLink } from "react-router";

import DataTable from "../../components/DataTable";
import ListPanel from "../../components/ListPanel";
import { usePaging } from "../../components/usePaging";
import { formatDateTime } from "../../lib/formatDate";
import PromotionStatusChip from "./PromotionStatusChip";
import { promotionQueries } from "./queries";
import type { Promotion } from "./types";

const HEADINGS = [
  "Version",
  "Stage",
  "Status",
  "Requested by",
  "Approved by",
  "Started",
  "Finished",
];

function approvers(promotion: Promotion): string {
  const approvals = promotion.approvals ?? [];
  if (approvals.length > 0) {
    return approvals.map((approval) => approval.username).join(", ");
  }
  return promotion.approvalsRequired === 0 ? "Not needed" : "—";
}

/** A pipeline's promotions, newest first: which version reached which stage when, by whom. */
export default function PromotionHistory({ pipelineId }: { pipelineId: string }) {
  const paging = usePaging();
  const history = useQuery(promotionQueries.list({ pipelineId, ...paging.request }));
  return (
    <Stack spacing={1} component="section" aria-label="History">
      <Typography variant="h6" component="h2">
        History
      </Typography>
      <ListPanel
        query={history}
        items={history.data?.items}
        paging={paging}
        loadingLabel="Loading the history"
        emptyText="No promotion yet."
      >
        {(items) => (
          <DataTable
            label="Promotions"
            headings={HEADINGS}
            rows={items}
            cells={(promotion) => (
              <>
                <TableCell>
                  <Link component={RouterLink} to={`/promotions/${promotion.id}`}>
                    {promotion.version}
                  </Link>
                </TableCell>
                <TableCell>{promotion.stage}</TableCell>
                <TableCell>
                  <PromotionStatusChip status={promotion.status} />
                </TableCell>
                <TableCell>{promotion.requestedBy.username}</TableCell>
                <TableCell>{approvers(promotion)}</TableCell>
                <TableCell>{formatDateTime(promotion.startedAt)}</TableCell>
                <TableCell>{formatDateTime(promotion.finishedAt)}</TableCell>
              </>
            )}
          />
        )}
      </ListPanel>
    </Stack>
  );
}
