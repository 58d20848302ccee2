import AddIcon from "@mui/icons-material/Add";
import { Box, Button, Stack } from "@mui/material";
import type { ReactNode } from "react";

interface ListToolbarProps {
  /** What the list holds, or a search field: takes the room the button leaves. */
  children: ReactNode;
  createLabel: string;
  createIcon?: ReactNode;
  /** Without it there is no create button (for readers). */
  onCreate?: () => void;
}

/** The line above a list page's table: a description or search, and the create button. */
export default function ListToolbar({
  children,
  createLabel,
  createIcon = <AddIcon />,
  onCreate,
}: ListToolbarProps) {
  return (
    <Stack direction={{ xs: "column", sm: "row" }} spacing={2} alignItems={{ sm: "center" }}>
      <Box sx={{ flexGrow: 1 }}>{children}</Box>
      {onCreate && (
        <Button
          variant="contained"
          startIcon={createIcon}
          onClick={onCreate}
          sx={{ flexShrink: 0 }}
        >
          {createLabel}
        </Button>
      )}
    </Stack>
  );
}
