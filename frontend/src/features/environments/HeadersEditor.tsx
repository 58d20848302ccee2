import AddIcon from "@mui/icons-material/Add";
import DeleteIcon from "@mui/icons-material/Delete";
import { Box, Button, IconButton, Stack, TextField, Typography } from "@mui/material";
import { useFieldArray, type UseFormReturn } from "react-hook-form";

import type { EnvironmentFormValues, HeaderListName } from "./environmentForm";

interface HeadersEditorProps {
  form: UseFormReturn<EnvironmentFormValues>;
  name: HeaderListName;
  label: string;
}

/**
 * Request headers, a row each. A secret value the server keeps shows as "stored": left empty it
 * stays as it is; typing a value replaces it.
 */
export default function HeadersEditor({ form, name, label }: HeadersEditorProps) {
  const { fields, append, remove } = useFieldArray({ control: form.control, name });
  const errors = form.formState.errors[name];
  return (
    <Stack spacing={1} role="group" aria-label={label}>
      <Typography variant="body2" color="text.secondary">
        {label}
      </Typography>
      {fields.map((field, index) => {
        const rowErrors = Array.isArray(errors) ? errors[index] : undefined;
        const stored = field.stored;
        const { ref: nameRef, ...nameField } = form.register(`${name}.${index}.name`);
        const { ref: valueRef, ...valueField } = form.register(`${name}.${index}.value`);
        return (
          <Box key={field.id} sx={{ display: "flex", gap: 1, alignItems: "flex-start" }}>
            <TextField
              label="Header name"
              size="small"
              inputRef={nameRef}
              error={rowErrors?.name !== undefined}
              helperText={rowErrors?.name?.message}
              slotProps={{ htmlInput: { readOnly: stored } }}
              sx={{ flex: 1 }}
              {...nameField}
            />
            <TextField
              label="Value"
              size="small"
              inputRef={valueRef}
              placeholder={stored ? "Stored: type to replace" : undefined}
              helperText={stored ? "Stored secret, kept unless you type a new value" : undefined}
              slotProps={{ inputLabel: stored ? { shrink: true } : undefined }}
              sx={{ flex: 2 }}
              {...valueField}
            />
            <IconButton aria-label={`Remove header ${index + 1}`} onClick={() => remove(index)}>
              <DeleteIcon fontSize="small" />
            </IconButton>
          </Box>
        );
      })}
      <Box>
        <Button
          size="small"
          startIcon={<AddIcon />}
          onClick={() => append({ name: "", value: "", stored: false })}
        >
          Add header
        </Button>
      </Box>
    </Stack>
  );
}
