import { useCallback, useEffect, useState } from "react";
import type { PaletteMode } from "@mui/material";

export const COLOR_MODE_KEY = "envdeck.colorMode";

function initialMode(): PaletteMode {
  const saved = window.localStorage.getItem(COLOR_MODE_KEY);
  if (saved === "light" || saved === "dark") return saved;
  return window.matchMedia?.("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

/** The light/dark choice: the OS preference until the user picks one, then theirs, kept. */
export function useColorMode(): [PaletteMode, () => void] {
  const [mode, setMode] = useState<PaletteMode>(initialMode);
  useEffect(() => {
    document.documentElement.style.colorScheme = mode;
  }, [mode]);
  const toggle = useCallback(() => {
    setMode((current) => {
      const next = current === "light" ? "dark" : "light";
      window.localStorage.setItem(COLOR_MODE_KEY, next);
      return next;
    });
  }, []);
  return [mode, toggle];
}
