import { IconButton, Tooltip } from "@mui/material";
import type { ReactNode } from "react";

interface IconActionProps {
  /** The tooltip (“Edit”). */
  title: string;
  /** The accessible name, naming the item (“Edit shop-prod”). */
  label: string;
  onClick: () => void;
  /** The icon. */
  children: ReactNode;
}

/** An icon button of a table row, with a tooltip. */
export default function IconAction({ title, label, onClick, children }: IconActionProps) {
  return (
    <Tooltip title={title}>
      <IconButton aria-label={label} onClick={onClick}>
        {children}
      </IconButton>
    </Tooltip>
  );
}
