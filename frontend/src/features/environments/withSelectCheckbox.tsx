import { Checkbox, Stack } from "@mui/material";
import { type ComponentType, useContext } from "react";

import type { Environment } from "./queries";
import { SelectionContext } from "./SelectionContext";

type ActionsProps = { environment: Environment; compact?: boolean };

/** A card's or a row's checkbox for bulk actions (nothing without a selection). */
function SelectCheckbox({ environment }: { environment: Environment }) {
  const selection = useContext(SelectionContext);
  if (!selection) return null;
  return (
    <Checkbox
      size="small"
      checked={selection.has(environment.id)}
      onChange={() => selection.toggle(environment)}
      slotProps={{ input: { "aria-label": `Select ${environment.name}` } }}
      sx={{ p: 0.5 }}
    />
  );
}

/**
 * The restart and upgrade buttons of a card or a row, preceded by the checkbox that selects
 * the environment for a bulk action: where a card or a row offers operations, it offers this.
 */
export function withSelectCheckbox(Actions: ComponentType<ActionsProps>) {
  function SelectableActions(props: ActionsProps) {
    return (
      <Stack direction="row" alignItems="center">
        <SelectCheckbox environment={props.environment} />
        <Actions {...props} />
      </Stack>
    );
  }
  return SelectableActions;
}
