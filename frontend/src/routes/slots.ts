// Where one feature shows a piece of another, the page composes them: these are the pieces,
// passed down as props (features never import each other; components/slots.ts has the shapes).
import { lazy } from "react";

import type { FilterPickers, ScopeWidgets } from "../components/slots";
import CreateCredentialDialog from "../features/credentials/CreateCredentialDialog";
import EnvironmentPicker from "../features/environments/EnvironmentPicker";
import EnvironmentsPicker from "../features/environments/EnvironmentsPicker";
import HealthChip from "../features/environments/HealthChip";
import ScopeChips from "../features/environments/ScopeChips";
import type { EnvironmentFormSlots, EnvironmentSlots } from "../features/environments/slots";
import TagsPicker from "../features/environments/TagsPicker";
import HealthSince from "../features/health/HealthSince";
import SparklineScaleToggle from "../features/health/SparklineScaleToggle";
import TestHealthCheckButton from "../features/health/TestHealthCheckButton";
import { useSparklines } from "../features/health/useSparklines";
import MaintenanceChip from "../features/maintenance/MaintenanceChip";
import BulkOperationDialog from "../features/operations/BulkOperationDialog";
import OperationActions from "../features/operations/OperationActions";
import OperationPanel from "../features/operations/OperationPanel";
import type { PromotionSlots } from "../features/promotions/slots";
import UserPicker from "../features/users/UserPicker";
import EnvironmentReservation from "./EnvironmentReservation";

/** The environment and user filters of the activity log and the operations list. */
export const filterPickers: FilterPickers = { EnvironmentPicker, UserPicker };

/** The scope of a maintenance window or a notification channel. */
export const scopeWidgets: ScopeWidgets = { ScopeChips, EnvironmentsPicker, TagsPicker };

/**
 * What the environments dashboard's cards and rows show of operations, maintenance,
 * reservations and health.
 */
export const environmentSlots: EnvironmentSlots = {
  OperationActions,
  ReservationControl: EnvironmentReservation,
  MaintenanceChip,
  HealthSince,
  // The charts library is large: cards show at once and their sparklines follow when it loads.
  Sparkline: lazy(() => import("../features/health/Sparkline")),
  SparklineScaleToggle,
  BulkOperationDialog,
  useSparklines,
};

/** What the environment form shows of credentials and health. */
export const environmentFormSlots: EnvironmentFormSlots = {
  CreateCredentialDialog,
  TestHealthCheckButton,
};

/** What the pipelines' board and a promotion's view show of environments and operations. */
export const promotionSlots: PromotionSlots = {
  HealthChip,
  OperationPanel,
  EnvironmentsPicker,
  TagsPicker,
};
