import { zodResolver } from "@hookform/resolvers/zod";
import AddIcon from "@mui/icons-material/Add";
import { Alert, Box, Button, TextField } from "@mui/material";
import { useFieldArray, useForm } from "react-hook-form";

import FormDialog from "../../components/FormDialog";
import { fieldProps } from "../../lib/fieldProps";
import { useInvalidatingMutation } from "../../lib/useInvalidatingMutation";
import { useServerErrors } from "../../lib/useServerErrors";
import {
  emptyStage,
  MAX_STAGES,
  pipelineSchema,
  type PipelineValues,
  pipelineValues,
  SERVER_FIELDS,
  specOf,
} from "./pipelineForm";
import { createPipeline, pipelineQueries, replacePipeline } from "./queries";
import type { PromotionSlots } from "./slots";
import StageFields from "./StageFields";
import type { Pipeline, PipelineSpec } from "./types";

interface PipelineDialogProps {
  /** The pipeline to edit; null to create one. */
  pipeline: Pipeline | null;
  pickers: Pick<PromotionSlots, "EnvironmentsPicker" | "TagsPicker">;
  onClose: () => void;
  onSaved: (pipeline: Pipeline) => void;
}

/** Create or change a pipeline: its name and its stages, in order. */
export default function PipelineDialog({
  pipeline,
  pickers,
  onClose,
  onSaved,
}: PipelineDialogProps) {
  const form = useForm<PipelineValues>({
    resolver: zodResolver(pipelineSchema),
    defaultValues: pipelineValues(pipeline),
  });
  const stages = useFieldArray({ control: form.control, name: "stages" });
  const server = useServerErrors(form, SERVER_FIELDS);
  const save = useInvalidatingMutation({
    mutationFn: (spec: PipelineSpec) =>
      pipeline ? replacePipeline(pipeline.id, spec) : createPipeline(spec),
    invalidates: pipelineQueries.all(),
    onSuccess: onSaved,
    onError: server.report,
  });
  const submit = form.handleSubmit((valid) => {
    server.clear();
    save.mutate(specOf(valid));
  });
  const { stages: stagesErrors } = form.formState.errors;
  const stagesError = stagesErrors?.root?.message ?? stagesErrors?.message;

  return (
    <FormDialog
      title={pipeline ? `Edit ${pipeline.name}` : "New pipeline"}
      submitLabel={pipeline ? "Save" : "Create pipeline"}
      onSubmit={submit}
      onClose={onClose}
      pending={save.isPending}
      error={server.formError}
      maxWidth="md"
    >
      <TextField
        label="Name"
        autoComplete="off"
        autoFocus
        fullWidth
        {...fieldProps(form, "name")}
      />
      <TextField
        label="Description"
        autoComplete="off"
        fullWidth
        multiline
        minRows={2}
        {...fieldProps(form, "description")}
      />
      {stagesError && <Alert severity="error">{stagesError}</Alert>}
      {stages.fields.map((field, index) => (
        <StageFields
          key={field.id}
          form={form}
          index={index}
          count={stages.fields.length}
          pickers={pickers}
          onMove={(to) => stages.move(index, to)}
          onRemove={() => stages.remove(index)}
        />
      ))}
      <Box>
        <Button
          startIcon={<AddIcon />}
          disabled={stages.fields.length >= MAX_STAGES}
          onClick={() => stages.append(emptyStage())}
        >
          Add a stage
        </Button>
      </Box>
    </FormDialog>
  );
}
