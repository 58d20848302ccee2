import { createTheme, type PaletteMode } from "@mui/material/styles";

/** The app's theme for a mode; status colours come from the palette (success, error, …). */
export function makeTheme(mode: PaletteMode) {
  const light = mode === "light";
  const theme = createTheme({
    palette: {
      mode,
      primary: { main: light ? "#1565c0" : "#90caf9" },
      // MUI's light warning (#ed6c02) and info (#0288d1) read at 3.1:1 and 3.9:1 as text on
      // white, or under white text: too faint for WCAG AA (4.5:1). These darker shades pass.
      ...(light && { warning: { main: "#b45309" }, info: { main: "#0277bd" } }),
    },
    typography: {
      fontFamily: ["Roboto", "system-ui", "-apple-system", "Segoe UI", "sans-serif"].join(","),
    },
    shape: { borderRadius: 8 },
  });
  // A ring a keyboard user can see wherever the focus is: MUI's own is a faint ripple.
  const ring = { outline: `2px solid ${theme.palette.primary.main}`, outlineOffset: 2 };
  return createTheme(theme, {
    components: {
      MuiButtonBase: { styleOverrides: { root: { "&.Mui-focusVisible": ring } } },
      MuiCssBaseline: {
        styleOverrides: {
          // Links and elements made focusable by hand (a scrolling table, a skip link).
          'a:focus-visible, [tabindex="0"]:focus-visible': ring,
        },
      },
      // On the blue bar a blue ring would vanish: the bar's own text colour shows.
      MuiAppBar: {
        styleOverrides: { root: { "& .Mui-focusVisible": { outlineColor: "currentColor" } } },
      },
    },
  });
}
