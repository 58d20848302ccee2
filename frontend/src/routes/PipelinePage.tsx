import ArrowBackIcon from "@mui/icons-material/ArrowBack";
import { Box, Button } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "react-router";

import Page from "../components/Page";
import PipelineDetails from "../features/promotions/PipelineDetails";
import { pipelineQueries } from "../features/promotions/queries";
import { hasRole } from "../lib/roles";
import { useSession } from "../lib/useSession";
import { promotionSlots } from "./slots";

/** One pipeline's board, Promote buttons and history. */
export default function PipelinePage() {
  const { id = "" } = useParams();
  const { session } = useSession();
  const navigate = useNavigate();
  const pipeline = useQuery(pipelineQueries.detail(id));
  const role = session?.user.role ?? "viewer";
  return (
    <Page title={pipeline.data?.name ?? "Pipeline"}>
      <Box>
        <Button component={Link} to="/pipelines" startIcon={<ArrowBackIcon />}>
          All pipelines
        </Button>
      </Box>
      <PipelineDetails
        key={id}
        pipelineId={id}
        canManage={hasRole(role, "admin")}
        canPromote={hasRole(role, "user")}
        slots={promotionSlots}
        onStarted={(promotion) => void navigate(`/promotions/${promotion.id}`)}
        onDeleted={() => void navigate("/pipelines")}
      />
    </Page>
  );
}
