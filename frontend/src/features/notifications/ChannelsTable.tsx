import DeleteIcon from "@mui/icons-material/Delete";
import EditIcon from "@mui/icons-material/Edit";
import SendIcon from "@mui/icons-material/Send";
import {
  Button,
  Chip,
  IconButton,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Tooltip,
  Typography,
} from "@mui/material";

import ScopeChips from "../environments/ScopeChips";
import DeliveryChip from "./DeliveryChip";
import type { Channel } from "./queries";

interface ChannelsTableProps {
  channels: Channel[];
  /** The channel whose test message is on its way. */
  testing: string | null;
  onTest: (channel: Channel) => void;
  onEdit: (channel: Channel) => void;
  onDelete: (channel: Channel) => void;
}

function ScopeCell({ scope }: { scope: Channel["scope"] }) {
  if (scope.kind === "all") return <>All environments</>;
  return (
    <ScopeChips
      scope={
        scope.kind === "tags" ? { tags: scope.tags } : { environmentIds: scope.environmentIds }
      }
    />
  );
}

/** One page of notification channels: never their URLs, which the API does not give out. */
export default function ChannelsTable({
  channels,
  testing,
  onTest,
  onEdit,
  onDelete,
}: ChannelsTableProps) {
  return (
    <TableContainer>
      <Table size="small" aria-label="Notification channels">
        <TableHead>
          <TableRow>
            <TableCell>Name</TableCell>
            <TableCell>Service</TableCell>
            <TableCell>Events</TableCell>
            <TableCell>Scope</TableCell>
            <TableCell>Enabled</TableCell>
            <TableCell>Last delivery</TableCell>
            <TableCell align="right">Actions</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {channels.map((channel) => (
            <TableRow key={channel.id} hover>
              <TableCell>{channel.name}</TableCell>
              <TableCell sx={{ fontFamily: "monospace" }}>{channel.service}</TableCell>
              <TableCell>
                <Stack direction="row" spacing={0.5} useFlexGap flexWrap="wrap">
                  {channel.events.map((event) => (
                    <Chip key={event} size="small" label={event} />
                  ))}
                </Stack>
              </TableCell>
              <TableCell>
                <ScopeCell scope={channel.scope} />
              </TableCell>
              <TableCell>{channel.enabled ? "Yes" : "No"}</TableCell>
              <TableCell aria-label={`Last delivery of ${channel.name}`}>
                <DeliveryChip delivery={channel.lastDelivery ?? null} />
              </TableCell>
              <TableCell align="right" sx={{ whiteSpace: "nowrap" }}>
                <Button
                  size="small"
                  startIcon={<SendIcon fontSize="small" />}
                  loading={testing === channel.id}
                  onClick={() => onTest(channel)}
                  aria-label={`Test ${channel.name}`}
                >
                  Test
                </Button>
                <Tooltip title="Edit">
                  <IconButton aria-label={`Edit ${channel.name}`} onClick={() => onEdit(channel)}>
                    <EditIcon fontSize="small" />
                  </IconButton>
                </Tooltip>
                <Tooltip title="Delete">
                  <IconButton
                    aria-label={`Delete ${channel.name}`}
                    onClick={() => onDelete(channel)}
                  >
                    <DeleteIcon fontSize="small" />
                  </IconButton>
                </Tooltip>
              </TableCell>
            </TableRow>
          ))}
          {channels.length === 0 && (
            <TableRow>
              <TableCell colSpan={7}>
                <Typography color="text.secondary">No channels yet.</Typography>
              </TableCell>
            </TableRow>
          )}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
