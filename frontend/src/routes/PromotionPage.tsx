import ArrowBackIcon from "@mui/icons-material/ArrowBack";
import { Box, Button } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "react-router";

import Page from "../components/Page";
import PromotionView from "../features/promotions/PromotionView";
import { promotionQueries } from "../features/promotions/queries";
import { useSession } from "../lib/useSession";
import { promotionSlots } from "./slots";

/** One promotion, live: status, gates, approvals and each environment's operation. */
export default function PromotionPage() {
  const { id = "" } = useParams();
  const { session } = useSession();
  const promotion = useQuery(promotionQueries.detail(id));
  const back = promotion.data ? `/pipelines/${promotion.data.pipelineId}` : "/pipelines";
  return (
    <Page title={promotion.data ? `Promotion to ${promotion.data.stage}` : "Promotion"}>
      <Box>
        <Button component={Link} to={back} startIcon={<ArrowBackIcon />}>
          {promotion.data ? promotion.data.pipelineName : "Pipelines"}
        </Button>
      </Box>
      {session && (
        <PromotionView
          key={id}
          promotionId={id}
          user={{ id: session.user.id, role: session.user.role }}
          OperationPanel={promotionSlots.OperationPanel}
        />
      )}
    </Page>
  );
}
