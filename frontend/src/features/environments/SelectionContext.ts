import { createContext } from "react";

import type { Selection } from "./useSelection";

/**
 * The dashboard's selection for bulk actions, read by each card's and row's checkbox (a
 * context, so a change of selection re-renders the checkboxes, not every card); null when the
 * reader cannot run operations.
 */
export const SelectionContext = createContext<Selection | null>(null);
