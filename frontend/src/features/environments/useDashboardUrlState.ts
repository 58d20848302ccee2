import { useCallback, useEffect, useMemo } from "react";
import { useSearchParams } from "react-router";

import { type DashboardState, dashboardSearchParams, parseDashboardState } from "./dashboardState";

const LAST_VIEW_KEY = "envdeck.dashboardQuery";

/**
 * The dashboard as this tab last showed it ("/environments?status=unhealthy&page=2"), for the
 * links back to it from an environment's page; the plain dashboard before that.
 */
export function lastDashboardPath(): string {
  const query = window.sessionStorage.getItem(LAST_VIEW_KEY) ?? "";
  return `/environments${query.startsWith("?") ? query : ""}`;
}

export interface UpdateOptions {
  /** Replace the history entry instead of adding one (typing in the search box). */
  replace?: boolean;
}

/**
 * The dashboard's filters, sort, grouping, page and page size, kept in the URL: a link or a
 * reload shows the same view, and Back returns to the previous one. Changing anything but the
 * page goes back to the first page.
 */
export function useDashboardUrlState(): [
  DashboardState,
  (change: Partial<DashboardState>, options?: UpdateOptions) => void,
] {
  const [searchParams, setSearchParams] = useSearchParams();
  const state = useMemo(() => parseDashboardState(searchParams), [searchParams]);
  const query = dashboardSearchParams(state).toString();
  useEffect(() => {
    window.sessionStorage.setItem(LAST_VIEW_KEY, query ? `?${query}` : "");
  }, [query]);
  const update = useCallback(
    (change: Partial<DashboardState>, options: UpdateOptions = {}) => {
      setSearchParams(
        (current) => {
          const next = { ...parseDashboardState(current), ...change };
          if (!("page" in change)) next.page = 0;
          return dashboardSearchParams(next, current);
        },
        { replace: options.replace ?? false },
      );
    },
    [setSearchParams],
  );
  return [state, update];
}
