import MoreVertIcon from "@mui/icons-material/MoreVert";
import { IconButton, Menu, MenuItem } from "@mui/material";
import { useState } from "react";
import { Link } from "react-router";

import type { Environment } from "./queries";

interface EnvironmentActionsMenuProps {
  environment: Environment;
  onDelete: (environment: Environment) => void;
}

/** An environment's actions (for admins): edit it, open its details, delete it. */
export default function EnvironmentActionsMenu({
  environment,
  onDelete,
}: EnvironmentActionsMenuProps) {
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const close = () => setAnchor(null);
  return (
    <>
      <IconButton
        size="small"
        aria-label={`Actions for ${environment.name}`}
        aria-haspopup="menu"
        onClick={(event) => setAnchor(event.currentTarget)}
      >
        <MoreVertIcon fontSize="small" />
      </IconButton>
      <Menu anchorEl={anchor} open={anchor !== null} onClose={close}>
        <MenuItem component={Link} to={`/environments/${environment.id}/edit`} onClick={close}>
          Edit
        </MenuItem>
        <MenuItem component={Link} to={`/environments/${environment.id}`} onClick={close}>
          Open details
        </MenuItem>
        <MenuItem
          onClick={() => {
            close();
            onDelete(environment);
          }}
          sx={{ color: "error.main" }}
        >
          Delete
        </MenuItem>
      </Menu>
    </>
  );
}
