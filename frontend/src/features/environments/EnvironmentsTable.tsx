import {
  Link,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
} from "@mui/material";
import { useWindowVirtualizer } from "@tanstack/react-virtual";
import { memo, useRef } from "react";
import { Link as RouterLink } from "react-router";

import { formatDateTime } from "../../lib/formatDate";
import EnvironmentActionsMenu from "./EnvironmentActionsMenu";
import HealthChip from "./HealthChip";
import type { Environment } from "./queries";
import type { EnvironmentSlots } from "./slots";
import TagChips from "./TagChips";
import { useDocumentTop } from "./useDocumentTop";
import { type FocusScroll, useFocusScroll } from "./useFocusScroll";

/** A row's usual height (small cells, one line of chips), until it is measured. */
const ESTIMATED_ROW_PX = 53;
/** Rows drawn beyond the window: the next row is always in the page for Tab to reach. */
const OVERSCAN_ROWS = 6;

interface EnvironmentsTableProps {
  environments: Environment[];
  canManage: boolean;
  onDelete: (environment: Environment) => void;
  /** What a row shows of operations and maintenance (from the page). */
  slots: Pick<EnvironmentSlots, "OperationActions" | "MaintenanceChip">;
}

/**
 * One page of environments as a compact table that scrolls with the window, drawing only the
 * rows in view (and a few around them); empty rows above and below keep the scroll height.
 */
export default function EnvironmentsTable({
  environments,
  canManage,
  onDelete,
  slots,
}: EnvironmentsTableProps) {
  const bodyRef = useRef<HTMLTableSectionElement>(null);
  const top = useDocumentTop(bodyRef);
  const virtualizer = useWindowVirtualizer({
    count: environments.length,
    estimateSize: () => ESTIMATED_ROW_PX,
    overscan: OVERSCAN_ROWS,
    scrollMargin: top,
    getItemKey: (index) => environments[index]?.id ?? index,
  });
  const rows = virtualizer.getVirtualItems();
  const before = rows.length > 0 ? rows[0]!.start - virtualizer.options.scrollMargin : 0;
  const after = rows.length > 0 ? virtualizer.getTotalSize() - rows.at(-1)!.end + top : 0;
  const columns = canManage ? 8 : 7;
  const onFocus = useFocusScroll(virtualizer);
  return (
    <TableContainer>
      <Table size="small" aria-label="Environments">
        <TableHead>
          <TableRow>
            <TableCell>Health</TableCell>
            <TableCell>Name</TableCell>
            <TableCell>URL</TableCell>
            <TableCell>Version</TableCell>
            <TableCell>Tags</TableCell>
            <TableCell>Last check</TableCell>
            <TableCell>Operations</TableCell>
            {canManage && <TableCell align="right">Actions</TableCell>}
          </TableRow>
        </TableHead>
        <TableBody ref={bodyRef}>
          {before > 0 && <Spacer height={before} columns={columns} />}
          {rows.map((row) => (
            <EnvironmentRow
              key={row.key}
              ref={virtualizer.measureElement}
              index={row.index}
              onFocus={onFocus}
              environment={environments[row.index]!}
              canManage={canManage}
              onDelete={onDelete}
              slots={slots}
            />
          ))}
          {after > 0 && <Spacer height={after} columns={columns} />}
        </TableBody>
      </Table>
    </TableContainer>
  );
}

/** Stands for the rows not drawn, so the table is as tall as all of them. */
function Spacer({ height, columns }: { height: number; columns: number }) {
  return (
    <TableRow aria-hidden style={{ height }}>
      <TableCell colSpan={columns} sx={{ p: 0, border: 0 }} />
    </TableRow>
  );
}

interface EnvironmentRowProps {
  ref: (element: HTMLTableRowElement | null) => void;
  index: number;
  onFocus: FocusScroll;
  environment: Environment;
  canManage: boolean;
  onDelete: (environment: Environment) => void;
  slots: EnvironmentsTableProps["slots"];
}

/** One environment's row; memoised, so a live update re-renders that row alone. */
const EnvironmentRow = memo(function EnvironmentRow({
  ref,
  index,
  onFocus,
  environment,
  canManage,
  onDelete,
  slots: { OperationActions, MaintenanceChip },
}: EnvironmentRowProps) {
  return (
    <TableRow
      ref={ref}
      data-index={index}
      onFocus={onFocus.onFocus}
      onPointerDown={onFocus.onPointerDown}
      hover
    >
      <TableCell>
        <Stack direction="row" spacing={0.5} useFlexGap flexWrap="wrap">
          <HealthChip
            health={environment.status?.health ?? "unknown"}
            operation={environment.activeOperation}
          />
          <MaintenanceChip environment={environment} />
        </Stack>
      </TableCell>
      <TableCell>
        <Link component={RouterLink} to={`/environments/${environment.id}`}>
          {environment.name}
        </Link>
      </TableCell>
      <TableCell sx={{ maxWidth: 260, overflow: "hidden", textOverflow: "ellipsis" }}>
        {environment.environmentURL ? (
          <Link href={environment.environmentURL} target="_blank" rel="noopener noreferrer">
            {environment.environmentURL}
          </Link>
        ) : (
          "—"
        )}
      </TableCell>
      <TableCell>{environment.systemInfo?.appVersion || "—"}</TableCell>
      <TableCell>
        <TagChips tags={environment.tags} />
      </TableCell>
      <TableCell sx={{ whiteSpace: "nowrap" }}>
        {formatDateTime(environment.status?.lastCheck, "Never")}
      </TableCell>
      <TableCell sx={{ whiteSpace: "nowrap" }}>
        <OperationActions environment={environment} compact />
      </TableCell>
      {canManage && (
        <TableCell align="right">
          <EnvironmentActionsMenu environment={environment} onDelete={onDelete} />
        </TableCell>
      )}
    </TableRow>
  );
});
