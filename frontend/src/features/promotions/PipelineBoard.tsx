import { Alert, CircularProgress, Stack } from "@mui/material";
import { useQuery } from "@tanstack/react-query";

import { errorMessage } from "../../lib/serverErrors";
import { useNow } from "../../lib/useNow";
import { pipelineQueries } from "./queries";
import type { PromotionSlots } from "./slots";
import StageColumn from "./StageColumn";
import type { Promotion } from "./types";
import VersionPlaces from "./VersionPlaces";

interface PipelineBoardProps {
  pipelineId: string;
  /** Operators and admins may promote; viewers see the board. */
  canPromote: boolean;
  HealthChip: PromotionSlots["HealthChip"];
  onStarted: (promotion: Promotion) => void;
}

/** One column per stage, in the pipeline's order. */
export default function PipelineBoard({
  pipelineId,
  canPromote,
  HealthChip,
  onStarted,
}: PipelineBoardProps) {
  const board = useQuery(pipelineQueries.board(pipelineId));
  const now = useNow(30_000);
  if (board.isPending) return <CircularProgress aria-label="Loading the board" />;
  if (board.isError) return <Alert severity="error">{errorMessage(board.error)}</Alert>;
  const specs = board.data.pipeline.stages;
  return (
    <Stack spacing={2}>
      <Stack
        direction="row"
        spacing={2}
        aria-label="Stages"
        sx={{ overflowX: "auto", pb: 1, alignItems: "stretch" }}
      >
        {board.data.stages.map((stage, index) => (
          <StageColumn
            key={stage.name}
            pipelineId={pipelineId}
            board={stage}
            stage={specs.find((spec) => spec.name === stage.name)}
            first={index === 0}
            canPromote={canPromote}
            now={now}
            HealthChip={HealthChip}
            onStarted={onStarted}
          />
        ))}
      </Stack>
      <VersionPlaces versions={board.data.versions} />
    </Stack>
  );
}
