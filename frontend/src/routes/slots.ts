// Where one feature shows a piece of another, the page composes them: these are the pieces,
// passed down as props (features never import each other; components/slots.ts has the shapes).
import type { FilterPickers, ScopeWidgets } from "../components/slots";
import EnvironmentPicker from "../features/environments/EnvironmentPicker";
import EnvironmentsPicker from "../features/environments/EnvironmentsPicker";
import ScopeChips from "../features/environments/ScopeChips";
import TagsPicker from "../features/environments/TagsPicker";
import UserPicker from "../features/users/UserPicker";

/** The environment and user filters of the activity log and the operations list. */
export const filterPickers: FilterPickers = { EnvironmentPicker, UserPicker };

/** The scope of a maintenance window or a notification channel. */
export const scopeWidgets: ScopeWidgets = { ScopeChips, EnvironmentsPicker, TagsPicker };
