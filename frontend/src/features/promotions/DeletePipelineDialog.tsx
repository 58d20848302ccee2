import ConfirmActionDialog from "../../components/ConfirmActionDialog";
import { deletePipeline, promotionQueries } from "./queries";
import type { Pipeline } from "./types";

interface DeletePipelineDialogProps {
  pipeline: Pipeline;
  onClose: () => void;
  onDeleted: (pipeline: Pipeline) => void;
}

/** Ask, then delete a pipeline (its promotions stay in the history). */
export default function DeletePipelineDialog({
  pipeline,
  onClose,
  onDeleted,
}: DeletePipelineDialogProps) {
  return (
    <ConfirmActionDialog
      title={`Delete ${pipeline.name}?`}
      confirmLabel="Delete pipeline"
      action={() => deletePipeline(pipeline.id)}
      // Not the pipelines' own queries: the deleted one's board would be asked for again.
      invalidates={promotionQueries.all()}
      onDone={() => onDeleted(pipeline)}
      onClose={onClose}
    >
      {pipeline.name} and its {pipeline.stages.length} stages are deleted; its promotions stay in
      the history. This cannot be undone.
    </ConfirmActionDialog>
  );
}
