import DarkModeIcon from "@mui/icons-material/DarkMode";
import LightModeIcon from "@mui/icons-material/LightMode";
import { IconButton, Tooltip } from "@mui/material";

import { useColorModeContext } from "../theme/ColorModeContext";

export default function ThemeToggle() {
  const { mode, toggle } = useColorModeContext();
  const next = mode === "light" ? "dark" : "light";
  return (
    <Tooltip title={`Switch to ${next} mode`}>
      <IconButton color="inherit" aria-label="Toggle dark mode" onClick={toggle}>
        {mode === "light" ? <DarkModeIcon /> : <LightModeIcon />}
      </IconButton>
    </Tooltip>
  );
}
