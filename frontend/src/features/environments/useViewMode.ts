import { useCallback, useState } from "react";

export type ViewMode = "cards" | "table";

export const VIEW_MODE_KEY = "envdeck.environmentsView";

function savedViewMode(): ViewMode {
  return window.localStorage.getItem(VIEW_MODE_KEY) === "table" ? "table" : "cards";
}

/** The dashboard's view (card grid or compact table), remembered in this browser. */
export function useViewMode(): [ViewMode, (mode: ViewMode) => void] {
  const [mode, setMode] = useState<ViewMode>(savedViewMode);
  const choose = useCallback((next: ViewMode) => {
    window.localStorage.setItem(VIEW_MODE_KEY, next);
    setMode(next);
  }, []);
  return [mode, choose];
}
