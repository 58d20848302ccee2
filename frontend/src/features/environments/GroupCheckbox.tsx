import { Checkbox } from "@mui/material";

import type { Environment } from "./queries";
import type { Selection } from "./useSelection";

interface GroupCheckboxProps {
  members: Environment[];
  selection: Selection;
  /** Names the group: "Select every environment of shop". */
  label: string;
}

/** Select or unselect a whole group (a row, a column, a page); mixed when only some are. */
export default function GroupCheckbox({ members, selection, label }: GroupCheckboxProps) {
  const count = members.filter((environment) => selection.has(environment.id)).length;
  const all = count > 0 && count === members.length;
  return (
    <Checkbox
      size="small"
      checked={all}
      indeterminate={count > 0 && !all}
      onChange={() => selection.setMany(members, !all)}
      slotProps={{ input: { "aria-label": label } }}
    />
  );
}
