import CancelIcon from "@mui/icons-material/Cancel";
import CheckCircleIcon from "@mui/icons-material/CheckCircle";
import { List, ListItem, ListItemIcon, ListItemText } from "@mui/material";

import { gateLabel } from "./promotionText";
import type { Gate } from "./types";

interface GateListProps {
  gates: Gate[];
  /** The list's accessible name ("Gates into prod"). */
  label: string;
}

/** Each gate, passed or failed, with the server's reason. */
export default function GateList({ gates, label }: GateListProps) {
  return (
    <List dense disablePadding aria-label={label}>
      {gates.map((gate) => (
        <ListItem
          key={gate.name}
          disableGutters
          aria-label={`${gateLabel(gate.name)} ${gate.passed ? "passed" : "failed"}`}
        >
          <ListItemIcon sx={{ minWidth: 28 }}>
            {gate.passed ? (
              <CheckCircleIcon fontSize="small" color="success" />
            ) : (
              <CancelIcon fontSize="small" color="error" />
            )}
          </ListItemIcon>
          <ListItemText
            primary={gateLabel(gate.name)}
            secondary={gate.message}
            slotProps={{
              primary: { variant: "body2", color: gate.passed ? undefined : "error" },
              secondary: { variant: "caption" },
            }}
          />
        </ListItem>
      ))}
    </List>
  );
}
