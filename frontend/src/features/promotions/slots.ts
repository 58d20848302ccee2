// What the pipelines and promotions show of other domains (an environment's health, an
// operation's live panel, the environment and tag pickers): the page passes these in
// (routes/slots.ts), since features never import each other.
import type { ComponentType } from "react";

import type { MultiPickerProps } from "../../components/slots";
import type { HealthState } from "./types";

export interface PromotionSlots {
  /** An environment's health as a small chip. */
  HealthChip: ComponentType<{ health: HealthState }>;
  /** One operation as it runs: status, live output, verification, rollback, cancel. */
  OperationPanel: ComponentType<{ operationId: string }>;
  /** A picker of environments by name (the value is their ids). */
  EnvironmentsPicker: ComponentType<MultiPickerProps>;
  /** A picker of tags. */
  TagsPicker: ComponentType<MultiPickerProps>;
}
