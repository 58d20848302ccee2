import { useCallback, useMemo, useState } from "react";

import type { Environment } from "./queries";

export interface Selection {
  /** The selected environments, in the order they were selected. */
  selected: Environment[];
  has: (id: string) => boolean;
  toggle: (environment: Environment) => void;
  /** Select or unselect all of these (a page, a group). */
  setMany: (environments: Environment[], select: boolean) => void;
  clear: () => void;
}

/**
 * The environments picked for a bulk action. It survives a change of page or filter, so a
 * selection can gather environments from several pages; Clear empties it.
 */
export function useSelection(): Selection {
  const [byId, setById] = useState<ReadonlyMap<string, Environment>>(new Map());
  const toggle = useCallback((environment: Environment) => {
    setById((current) => {
      const next = new Map(current);
      if (next.has(environment.id)) next.delete(environment.id);
      else next.set(environment.id, environment);
      return next;
    });
  }, []);
  const setMany = useCallback((environments: Environment[], select: boolean) => {
    setById((current) => {
      const next = new Map(current);
      for (const environment of environments) {
        if (select) next.set(environment.id, environment);
        else next.delete(environment.id);
      }
      return next;
    });
  }, []);
  const clear = useCallback(() => setById(new Map()), []);
  return useMemo(
    () => ({
      selected: [...byId.values()],
      has: (id: string) => byId.has(id),
      toggle,
      setMany,
      clear,
    }),
    [byId, toggle, setMany, clear],
  );
}
