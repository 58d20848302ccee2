import { useQuery } from "@tanstack/react-query";

import { maintenanceQueries } from "./queries";
import { windowsCovering } from "./schedule";

/**
 * The maintenance windows running now that cover this environment. Every card shares one
 * polled query of the running windows, matched here by id and tags.
 */
export function useActiveMaintenance(environment: { id: string; tags?: string[] }) {
  const active = useQuery(maintenanceQueries.active());
  return windowsCovering(active.data, environment);
}
