import ArrowDownwardIcon from "@mui/icons-material/ArrowDownward";
import ArrowUpwardIcon from "@mui/icons-material/ArrowUpward";
import DeleteIcon from "@mui/icons-material/Delete";
import { IconButton, MenuItem, Paper, Stack, TextField, Tooltip, Typography } from "@mui/material";
import { Controller, type Path, type UseFormReturn, useWatch } from "react-hook-form";

import SwitchField from "../../components/SwitchField";
import { APPROVAL_CHOICES, type ApprovalChoice, type PipelineValues } from "./pipelineForm";
import type { PromotionSlots } from "./slots";

const APPROVAL_LABELS: Record<ApprovalChoice, string> = {
  default: "Default: one when an environment is protected",
  "0": "None",
  "1": "One admin (not the requester)",
};

/** A TextField's props for a field inside the stages array (fieldProps reads top-level ones). */
function nestedProps(
  form: UseFormReturn<PipelineValues>,
  name: Path<PipelineValues>,
  help?: string,
) {
  const { ref, ...rest } = form.register(name);
  const { error } = form.getFieldState(name, form.formState);
  return {
    ...rest,
    inputRef: ref,
    error: error !== undefined,
    helperText: error?.message ?? help,
  };
}

interface StageFieldsProps {
  form: UseFormReturn<PipelineValues>;
  index: number;
  count: number;
  pickers: Pick<PromotionSlots, "EnvironmentsPicker" | "TagsPicker">;
  onMove: (to: number) => void;
  onRemove: () => void;
}

/** One stage of the pipeline form: its name, environments, soak time, approvals, parallelism. */
export default function StageFields({
  form,
  index,
  count,
  pickers,
  onMove,
  onRemove,
}: StageFieldsProps) {
  const name = useWatch({ control: form.control, name: `stages.${index}.name` });
  const title = name.trim() || `Stage ${index + 1}`;
  const { EnvironmentsPicker, TagsPicker } = pickers;
  return (
    <Paper
      variant="outlined"
      component="fieldset"
      aria-label={`Stage ${index + 1}`}
      sx={{ p: 2, m: 0 }}
    >
      <Stack spacing={2}>
        <Stack direction="row" alignItems="center" spacing={1}>
          <Typography variant="subtitle1" component="legend" sx={{ flexGrow: 1, float: "left" }}>
            {index + 1}. {title}
          </Typography>
          <Tooltip title="Earlier">
            <span>
              <IconButton
                aria-label={`Move ${title} earlier`}
                disabled={index === 0}
                onClick={() => onMove(index - 1)}
              >
                <ArrowUpwardIcon fontSize="small" />
              </IconButton>
            </span>
          </Tooltip>
          <Tooltip title="Later">
            <span>
              <IconButton
                aria-label={`Move ${title} later`}
                disabled={index === count - 1}
                onClick={() => onMove(index + 1)}
              >
                <ArrowDownwardIcon fontSize="small" />
              </IconButton>
            </span>
          </Tooltip>
          <Tooltip title="Remove">
            <span>
              <IconButton aria-label={`Remove ${title}`} disabled={count === 1} onClick={onRemove}>
                <DeleteIcon fontSize="small" />
              </IconButton>
            </span>
          </Tooltip>
        </Stack>
        <Stack direction={{ xs: "column", sm: "row" }} spacing={2}>
          <TextField
            label="Stage name"
            autoComplete="off"
            fullWidth
            {...nestedProps(form, `stages.${index}.name`)}
          />
          <TextField
            label="Soak time"
            autoComplete="off"
            fullWidth
            {...nestedProps(
              form,
              `stages.${index}.soakTime`,
              "Healthy this long before the next stage",
            )}
          />
        </Stack>
        <Controller
          control={form.control}
          name={`stages.${index}.environmentIds`}
          render={({ field, fieldState: { error } }) => (
            <EnvironmentsPicker
              value={field.value}
              onChange={field.onChange}
              error={error !== undefined}
              helperText={error?.message ?? "These environments, and those with every tag below"}
            />
          )}
        />
        <Controller
          control={form.control}
          name={`stages.${index}.tags`}
          render={({ field, fieldState: { error } }) => (
            <TagsPicker
              label="Tags"
              value={field.value}
              onChange={field.onChange}
              error={error !== undefined}
              helperText={error?.message ?? "Environments carrying every one of these tags"}
            />
          )}
        />
        <Stack direction={{ xs: "column", sm: "row" }} spacing={2}>
          <Controller
            control={form.control}
            name={`stages.${index}.approvals`}
            render={({ field, fieldState: { error } }) => (
              <TextField
                select
                label="Approvals"
                fullWidth
                {...field}
                error={error !== undefined}
                helperText={error?.message}
              >
                {APPROVAL_CHOICES.map((choice) => (
                  <MenuItem key={choice} value={choice}>
                    {APPROVAL_LABELS[choice]}
                  </MenuItem>
                ))}
              </TextField>
            )}
          />
          <TextField
            label="At most at once"
            type="number"
            fullWidth
            slotProps={{ htmlInput: { min: 1, max: 50 } }}
            {...nestedProps(
              form,
              `stages.${index}.maxParallel`,
              "Upgrades running at the same time",
            )}
          />
        </Stack>
        <SwitchField
          control={form.control}
          name={`stages.${index}.rollbackOnFailure`}
          label="On a failure, roll back the environments already upgraded"
        />
      </Stack>
    </Paper>
  );
}
