import DeleteIcon from "@mui/icons-material/Delete";
import EditIcon from "@mui/icons-material/Edit";
import { Chip, Link, TableCell, Typography } from "@mui/material";
import { Link as RouterLink } from "react-router";

import DataTable from "../../components/DataTable";
import IconAction from "../../components/IconAction";
import type { ScopeWidgets } from "../../components/slots";
import type { StatusPage } from "./queries";

interface StatusPagesTableProps {
  pages: StatusPage[];
  onEdit: (page: StatusPage) => void;
  onDelete: (page: StatusPage) => void;
  /** Shows a page's group (from the page). */
  ScopeChips: ScopeWidgets["ScopeChips"];
}

/** One page of status pages: where they are, what they show, and who may read them. */
export default function StatusPagesTable({
  pages,
  onEdit,
  onDelete,
  ScopeChips,
}: StatusPagesTableProps) {
  return (
    <DataTable
      label="Status pages"
      headings={["Title", "Address", "Group", "Readers"]}
      rows={pages}
      cells={(page) => (
        <>
          <TableCell>
            <Typography variant="body2" fontWeight="medium">
              {page.title}
            </Typography>
            {!page.enabled && (
              <Typography variant="caption" color="text.secondary">
                Disabled
              </Typography>
            )}
          </TableCell>
          <TableCell>
            <Link component={RouterLink} to={`/status/${page.slug}`}>
              /status/{page.slug}
            </Link>
          </TableCell>
          <TableCell>
            <ScopeChips scope={page.scope} />
          </TableCell>
          <TableCell>
            {page.public ? (
              <Chip size="small" color="warning" variant="outlined" label="Public" />
            ) : (
              <Chip size="small" variant="outlined" label="Signed-in users" />
            )}
          </TableCell>
        </>
      )}
      actions={(page) => (
        <>
          <IconAction title="Edit" label={`Edit ${page.title}`} onClick={() => onEdit(page)}>
            <EditIcon fontSize="small" />
          </IconAction>
          <IconAction title="Delete" label={`Delete ${page.title}`} onClick={() => onDelete(page)}>
            <DeleteIcon fontSize="small" />
          </IconAction>
        </>
      )}
    />
  );
}
