import { createTheme, type PaletteMode } from "@mui/material/styles";

/** The app's theme for a mode; status colours come from the palette (success, error, …). */
export function makeTheme(mode: PaletteMode) {
  return createTheme({
    palette: { mode, primary: { main: mode === "light" ? "#1565c0" : "#90caf9" } },
    typography: {
      fontFamily: ["Roboto", "system-ui", "-apple-system", "Segoe UI", "sans-serif"].join(","),
    },
    shape: { borderRadius: 8 },
  });
}
