import { FormControlLabel, Stack } from "@mui/material";
import { type ReactNode, useState } from "react";

import BulkActionBar from "./BulkActionBar";
import GroupCheckbox from "./GroupCheckbox";
import type { Environment } from "./queries";
import { SelectionContext } from "./SelectionContext";
import type { EnvironmentSlots } from "./slots";
import { useSelection } from "./useSelection";

interface BulkSelectionProps {
  /** Whether the reader may run operations; without it there is nothing to select. */
  enabled: boolean;
  /** The environments on screen: "Select all shown" takes them all. */
  shown: Environment[];
  BulkOperationDialog: NonNullable<EnvironmentSlots["BulkOperationDialog"]>;
  children: ReactNode;
}

/**
 * The selected environments as shown now where they are on screen (live updates keep those
 * current: busy, version), else as they were when selected.
 */
function latest(selected: Environment[], shown: Environment[]): Environment[] {
  const now = new Map(shown.map((environment) => [environment.id, environment]));
  return selected.map((environment) => now.get(environment.id) ?? environment);
}

/**
 * The dashboard's selection for bulk actions around its cards, rows or groups (which read it
 * from SelectionContext): "Select all shown", and while anything is selected, the bar that
 * restarts or upgrades the selection through the confirmation and results dialog.
 */
export default function BulkSelection({
  enabled,
  shown,
  BulkOperationDialog,
  children,
}: BulkSelectionProps) {
  const selection = useSelection();
  const [kind, setKind] = useState<"restart" | "upgrade" | null>(null);
  if (!enabled) return <>{children}</>;
  const count = selection.selected.length;
  return (
    <SelectionContext.Provider value={selection}>
      {shown.length > 0 && (
        <Stack direction="row" alignItems="center">
          <FormControlLabel
            control={
              <GroupCheckbox
                members={shown}
                selection={selection}
                label={`Select all ${shown.length} shown`}
              />
            }
            label="Select all shown"
            sx={{ ml: 0 }}
          />
        </Stack>
      )}
      {children}
      {count > 0 && (
        <BulkActionBar
          count={count}
          onRestart={() => setKind("restart")}
          onUpgrade={() => setKind("upgrade")}
          onClear={selection.clear}
        />
      )}
      {kind && (
        <BulkOperationDialog
          kind={kind}
          environments={latest(selection.selected, shown)}
          onClose={() => setKind(null)}
        />
      )}
    </SelectionContext.Provider>
  );
}
