import KeyboardArrowDownIcon from "@mui/icons-material/KeyboardArrowDown";
import KeyboardArrowRightIcon from "@mui/icons-material/KeyboardArrowRight";
import { Box, Collapse, IconButton, Link, TableCell, TableRow, Typography } from "@mui/material";
import { useState } from "react";
import { Link as RouterLink } from "react-router";

import { formatDateTime } from "../../lib/formatDate";
import { type LogEntry, TYPE_LABELS } from "./filters";
import LevelChip from "./LevelChip";

export const COLUMNS = 7;

interface ActivityRowProps {
  entry: LogEntry;
  /** The environment column is left out in one environment's own log. */
  showEnvironment: boolean;
  /** Arrived through the live tail since the page was loaded. */
  fresh: boolean;
  onUser: (userId: string) => void;
}

/** One entry; its details (pretty JSON) unfold under it. */
export default function ActivityRow({ entry, showEnvironment, fresh, onUser }: ActivityRowProps) {
  const [open, setOpen] = useState(false);
  const details = JSON.stringify(entry.details ?? {}, null, 2);
  return (
    <>
      <TableRow
        hover
        selected={fresh}
        aria-label={entry.message}
        sx={{ "& > td": { borderBottom: open ? "unset" : undefined } }}
      >
        <TableCell padding="checkbox">
          <IconButton
            size="small"
            aria-label={open ? "Hide details" : "Show details"}
            aria-expanded={open}
            onClick={() => setOpen(!open)}
          >
            {open ? <KeyboardArrowDownIcon /> : <KeyboardArrowRightIcon />}
          </IconButton>
        </TableCell>
        <TableCell sx={{ whiteSpace: "nowrap" }}>
          <time dateTime={entry.timestamp}>{formatDateTime(entry.timestamp)}</time>
        </TableCell>
        <TableCell>
          <LevelChip level={entry.level} />
        </TableCell>
        <TableCell>
          {TYPE_LABELS[entry.type]}
          <Typography variant="body2" color="text.secondary" component="div">
            {entry.action}
          </Typography>
        </TableCell>
        {showEnvironment && (
          <TableCell>
            {entry.environmentId ? (
              <Link component={RouterLink} to={`/environments/${entry.environmentId}`}>
                {entry.environmentName ?? entry.environmentId}
              </Link>
            ) : (
              (entry.environmentName ?? "")
            )}
          </TableCell>
        )}
        <TableCell>
          {entry.userId && entry.username ? (
            <Link
              component="button"
              type="button"
              title={`Only ${entry.username}'s activity`}
              onClick={() => onUser(entry.userId!)}
            >
              {entry.username}
            </Link>
          ) : (
            (entry.username ?? "")
          )}
        </TableCell>
        <TableCell sx={{ wordBreak: "break-word" }}>{entry.message}</TableCell>
      </TableRow>
      <TableRow>
        <TableCell colSpan={showEnvironment ? COLUMNS : COLUMNS - 1} sx={{ py: 0 }}>
          <Collapse in={open} timeout="auto" unmountOnExit>
            <Box sx={{ py: 1.5 }}>
              <Typography variant="subtitle2" component="h3">
                Details
              </Typography>
              <Box
                component="pre"
                aria-label={`Details of ${entry.message}`}
                sx={{
                  m: 0,
                  p: 1.5,
                  bgcolor: "action.hover",
                  borderRadius: 1,
                  overflowX: "auto",
                  fontSize: 13,
                }}
              >
                {details}
              </Box>
              <Typography variant="caption" color="text.secondary">
                Entry {entry.id}
              </Typography>
            </Box>
          </Collapse>
        </TableCell>
      </TableRow>
    </>
  );
}
