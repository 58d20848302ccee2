import DeleteIcon from "@mui/icons-material/Delete";
import EditIcon from "@mui/icons-material/Edit";
import { Alert, Button, CircularProgress, Stack, Typography } from "@mui/material";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { errorMessage } from "../../lib/serverErrors";
import DeletePipelineDialog from "./DeletePipelineDialog";
import PipelineBoard from "./PipelineBoard";
import PipelineDialog from "./PipelineDialog";
import PromotionHistory from "./PromotionHistory";
import { pipelineQueries } from "./queries";
import type { PromotionSlots } from "./slots";
import type { Pipeline, Promotion } from "./types";

interface PipelineDetailsProps {
  pipelineId: string;
  canManage: boolean;
  canPromote: boolean;
  slots: PromotionSlots;
  onStarted: (promotion: Promotion) => void;
  onDeleted: (pipeline: Pipeline) => void;
}

/** One pipeline: its board of stages (with the Promote buttons) and its history. */
export default function PipelineDetails({
  pipelineId,
  canManage,
  canPromote,
  slots,
  onStarted,
  onDeleted,
}: PipelineDetailsProps) {
  const queryClient = useQueryClient();
  const found = useQuery(pipelineQueries.detail(pipelineId));
  const [dialog, setDialog] = useState<"edit" | "delete" | null>(null);
  if (found.isPending) return <CircularProgress aria-label="Loading the pipeline" />;
  if (found.isError) return <Alert severity="error">{errorMessage(found.error)}</Alert>;
  const pipeline = found.data;
  return (
    <Stack spacing={3}>
      <Stack direction={{ xs: "column", sm: "row" }} spacing={1} alignItems={{ sm: "center" }}>
        <Typography color="text.secondary" sx={{ flexGrow: 1 }}>
          {pipeline.description || pipeline.stages.map((stage) => stage.name).join(" → ")}
        </Typography>
        {canManage && (
          <>
            <Button startIcon={<EditIcon />} onClick={() => setDialog("edit")}>
              Edit pipeline
            </Button>
            <Button color="error" startIcon={<DeleteIcon />} onClick={() => setDialog("delete")}>
              Delete pipeline
            </Button>
          </>
        )}
      </Stack>
      <PipelineBoard
        pipelineId={pipelineId}
        canPromote={canPromote}
        HealthChip={slots.HealthChip}
        onStarted={onStarted}
      />
      <PromotionHistory pipelineId={pipelineId} />
      {dialog === "edit" && (
        <PipelineDialog
          pipeline={pipeline}
          pickers={slots}
          onClose={() => setDialog(null)}
          onSaved={() => setDialog(null)}
        />
      )}
      {dialog === "delete" && (
        <DeletePipelineDialog
          pipeline={pipeline}
          onClose={() => setDialog(null)}
          onDeleted={(deleted) => {
            queryClient.removeQueries({ queryKey: pipelineQueries.detail(deleted.id).queryKey });
            queryClient.removeQueries({ queryKey: pipelineQueries.board(deleted.id).queryKey });
            void queryClient.invalidateQueries({ queryKey: pipelineQueries.lists() });
            onDeleted(deleted);
          }}
        />
      )}
    </Stack>
  );
}
