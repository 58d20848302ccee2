import { createContext, useContext } from "react";
import type { PaletteMode } from "@mui/material";

export interface ColorMode {
  mode: PaletteMode;
  toggle: () => void;
}

export const ColorModeContext = createContext<ColorMode>({ mode: "light", toggle: () => {} });

/** The current light/dark mode and the function that switches it. */
export function useColorModeContext(): ColorMode {
  return useContext(ColorModeContext);
}
