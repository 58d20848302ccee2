import {
  Alert,
  Card,
  CardContent,
  Chip,
  CircularProgress,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from "@mui/material";
import { useQuery } from "@tanstack/react-query";

import { formatDuration } from "../../lib/duration";
import { formatDateTime } from "../../lib/formatDate";
import { useNow } from "../../lib/useNow";
import InstanceStatusChip from "./InstanceStatusChip";
import { type Instance, systemQueries } from "./queries";

// The health checks are shared out in this many shards (services/cluster/shards.py).
const SHARDS = 32;

/** The last 8 hex digits of an id: its counter part, which tells instances apart. */
function shortId(id: string): string {
  return id.slice(-8);
}

interface InstanceRowProps {
  instance: Instance;
  isSelf: boolean;
  now: number;
  /** Several instances share the work: show how many health shards this one holds. */
  cluster: boolean;
}

function InstanceRow({ instance, isSelf, now, cluster }: InstanceRowProps) {
  const seenAgo = formatDuration(now - new Date(instance.lastSeen).getTime());
  return (
    <TableRow aria-current={isSelf ? "true" : undefined} selected={isSelf}>
      <TableCell>
        <Stack direction="row" spacing={1} alignItems="center">
          <Typography component="span" fontFamily="monospace" title={instance.id}>
            {shortId(instance.id)}
          </Typography>
          {isSelf && <Chip size="small" variant="outlined" label="This instance" />}
        </Stack>
      </TableCell>
      <TableCell>{instance.host}</TableCell>
      <TableCell>{instance.pid}</TableCell>
      <TableCell>{instance.version}</TableCell>
      <TableCell>{formatDateTime(instance.startedAt)}</TableCell>
      <TableCell title={formatDateTime(instance.lastSeen)}>{`${seenAgo} ago`}</TableCell>
      <TableCell>
        <InstanceStatusChip status={instance.status} />
      </TableCell>
      {cluster && <TableCell align="right">{instance.healthShards ?? 0}</TableCell>}
    </TableRow>
  );
}

/** Every Envdeck instance seen on this storage in the last day (admins). */
export default function InstancesCard() {
  const instances = useQuery(systemQueries.instances(true));
  const now = useNow(1_000);

  let content;
  if (instances.isPending) {
    content = <CircularProgress aria-label="Loading instances" />;
  } else if (instances.isError) {
    content = <Alert severity="error">Cannot list the instances: {instances.error.message}</Alert>;
  } else {
    const { instances: listed, self, cluster } = instances.data;
    content = (
      // Focusable: on a phone the table scrolls sideways, and a keyboard must be able to scroll it.
      <TableContainer tabIndex={0} role="region" aria-labelledby="instances-heading">
        <Typography variant="body2" color="text.secondary" gutterBottom>
          {cluster
            ? `Several instances share the work: each checks the environments of the health shards it holds (${SHARDS} in all), and every event reaches every instance.`
            : "This instance works alone: it checks every environment."}
        </Typography>
        <Table size="small" aria-labelledby="instances-heading">
          <TableHead>
            <TableRow>
              <TableCell>Instance</TableCell>
              <TableCell>Host</TableCell>
              <TableCell>PID</TableCell>
              <TableCell>Version</TableCell>
              <TableCell>Started</TableCell>
              <TableCell>Last seen</TableCell>
              <TableCell>Status</TableCell>
              {cluster && <TableCell align="right">Health shards</TableCell>}
            </TableRow>
          </TableHead>
          <TableBody>
            {listed.map((instance) => (
              <InstanceRow
                key={instance.id}
                instance={instance}
                isSelf={instance.id === self}
                now={now}
                cluster={cluster}
              />
            ))}
          </TableBody>
        </Table>
      </TableContainer>
    );
  }
  return (
    <Card variant="outlined">
      <CardContent>
        <Typography id="instances-heading" variant="h6" component="h2" gutterBottom>
          Instances
        </Typography>
        {content}
      </CardContent>
    </Card>
  );
}
