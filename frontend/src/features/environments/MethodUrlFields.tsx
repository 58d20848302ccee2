import { Box, Stack } from "@mui/material";
import type { ReactNode } from "react";

import { type EnvironmentFormApi, HTTP_METHODS } from "./environmentForm";
import SelectField from "./SelectField";

const METHOD_OPTIONS = HTTP_METHODS.map((m) => ({ value: m, label: m }));

interface MethodUrlFieldsProps {
  form: EnvironmentFormApi;
  /** The field of the HTTP method. */
  method: "hcMethod" | "restartMethod" | "upgradeMethod" | "versionListMethod";
  /** The URL's field, beside the method. */
  children: ReactNode;
}

/** An HTTP request's method and, beside it, where it is sent. */
export default function MethodUrlFields({ form, method, children }: MethodUrlFieldsProps) {
  return (
    <Stack direction={{ xs: "column", sm: "row" }} spacing={2}>
      <Box sx={{ width: { sm: 140 }, flexShrink: 0 }}>
        <SelectField control={form.control} name={method} label="Method" options={METHOD_OPTIONS} />
      </Box>
      {children}
    </Stack>
  );
}
