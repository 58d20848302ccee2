import { Table, TableBody, TableCell, TableContainer, TableHead, TableRow } from "@mui/material";
import type { ReactNode } from "react";

interface DataTableProps<T extends { id: string }> {
  /** The table's accessible name. */
  label: string;
  /** The headings of the data columns (the actions column is added after them). */
  headings: string[];
  rows: T[];
  /** The data cells of one row, as `TableCell`s. */
  cells: (row: T) => ReactNode;
  /** The buttons of one row; without it the table has no actions column. */
  actions?: (row: T) => ReactNode;
}

/** A small table with one row per item and, at the right, the item's actions. */
export default function DataTable<T extends { id: string }>({
  label,
  headings,
  rows,
  cells,
  actions,
}: DataTableProps<T>) {
  return (
    // Focusable: on a phone the table scrolls sideways, and a keyboard must be able to scroll it.
    <TableContainer tabIndex={0} role="region" aria-label={label}>
      <Table size="small" aria-label={label}>
        <TableHead>
          <TableRow>
            {headings.map((heading) => (
              <TableCell key={heading}>{heading}</TableCell>
            ))}
            {actions && <TableCell align="right">Actions</TableCell>}
          </TableRow>
        </TableHead>
        <TableBody>
          {rows.map((row) => (
            <TableRow key={row.id} hover>
              {cells(row)}
              {actions && (
                <TableCell align="right" sx={{ whiteSpace: "nowrap" }}>
                  {actions(row)}
                </TableCell>
              )}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
