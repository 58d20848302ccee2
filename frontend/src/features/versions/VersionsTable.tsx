import {
  Link,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from "@mui/material";
import { Link as RouterLink } from "react-router";

import BehindBadge from "./BehindBadge";
import type { VersionRow } from "./queries";

/** Every environment's running version, the newest it could run, and how far behind it is. */
export default function VersionsTable({ rows }: { rows: VersionRow[] }) {
  return (
    <TableContainer>
      <Table size="small" aria-label="Versions">
        <TableHead>
          <TableRow>
            <TableCell>Environment</TableCell>
            <TableCell>Running</TableCell>
            <TableCell>Newest available</TableCell>
            <TableCell>Status</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {rows.map((row) => (
            <TableRow key={row.environmentId} hover>
              <TableCell>
                <Link component={RouterLink} to={`/environments/${row.environmentId}`}>
                  {row.environmentName}
                </Link>
              </TableCell>
              <TableCell>{row.currentVersion || "—"}</TableCell>
              <TableCell>{row.latestVersion || "—"}</TableCell>
              <TableCell>
                {row.error ? (
                  <Typography variant="body2" color="error">
                    {row.error}
                  </Typography>
                ) : (
                  <BehindBadge behindBy={row.behindBy} />
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
