import { createContext } from "react";

import type { RealtimeConnection } from "./RealtimeConnection";

/** The signed-in session's connection; null outside a RealtimeProvider. */
export const RealtimeContext = createContext<RealtimeConnection | null>(null);
