import DeleteIcon from "@mui/icons-material/Delete";
import EditIcon from "@mui/icons-material/Edit";
import SendIcon from "@mui/icons-material/Send";
import { Button, Chip, Stack, TableCell } from "@mui/material";

import DataTable from "../../components/DataTable";
import IconAction from "../../components/IconAction";
import type { ScopeWidgets } from "../../components/slots";
import DeliveryChip from "./DeliveryChip";
import type { Channel } from "./queries";

interface ChannelsTableProps {
  channels: Channel[];
  /** The channel whose test message is on its way. */
  testing: string | null;
  onTest: (channel: Channel) => void;
  onEdit: (channel: Channel) => void;
  onDelete: (channel: Channel) => void;
  /** Shows a channel's scope (from the page). */
  ScopeChips: ScopeWidgets["ScopeChips"];
}

interface ScopeCellProps {
  scope: Channel["scope"];
  ScopeChips: ScopeWidgets["ScopeChips"];
}

function ScopeCell({ scope, ScopeChips }: ScopeCellProps) {
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
  ScopeChips,
}: ChannelsTableProps) {
  return (
    <DataTable
      label="Notification channels"
      headings={["Name", "Service", "Events", "Scope", "Enabled", "Last delivery"]}
      rows={channels}
      cells={(channel) => (
        <>
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
            <ScopeCell scope={channel.scope} ScopeChips={ScopeChips} />
          </TableCell>
          <TableCell>{channel.enabled ? "Yes" : "No"}</TableCell>
          <TableCell aria-label={`Last delivery of ${channel.name}`}>
            <DeliveryChip delivery={channel.lastDelivery ?? null} />
          </TableCell>
        </>
      )}
      actions={(channel) => (
        <>
          <Button
            size="small"
            startIcon={<SendIcon fontSize="small" />}
            loading={testing === channel.id}
            onClick={() => onTest(channel)}
            aria-label={`Test ${channel.name}`}
          >
            Test
          </Button>
          <IconAction title="Edit" label={`Edit ${channel.name}`} onClick={() => onEdit(channel)}>
            <EditIcon fontSize="small" />
          </IconAction>
          <IconAction
            title="Delete"
            label={`Delete ${channel.name}`}
            onClick={() => onDelete(channel)}
          >
            <DeleteIcon fontSize="small" />
          </IconAction>
        </>
      )}
    />
  );
}
