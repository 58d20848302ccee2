import DoneAllIcon from "@mui/icons-material/DoneAll";
import NotificationsIcon from "@mui/icons-material/Notifications";
import {
  Badge,
  Box,
  Button,
  CircularProgress,
  Divider,
  IconButton,
  ListItemText,
  Menu,
  MenuItem,
  Stack,
  Tooltip,
  Typography,
} from "@mui/material";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { Link } from "react-router";

import { formatDateTime } from "../../lib/formatDate";
import { errorMessage } from "../../lib/serverErrors";
import { useSession } from "../../lib/useSession";
import LevelChip from "./LevelChip";
import { logQueries, markAllRead, UNREAD_CAP } from "./queries";

/**
 * The app bar's bell: how many entries that need a person (an environment turned unhealthy, an
 * operation failed, a reservation ended or was broken…: the server's rules) others made since
 * this user last marked the log read, kept live; a menu of the latest of them, "mark all read"
 * and the way to the Activity page, which has everything else.
 */
export default function NotificationsBell() {
  const queryClient = useQueryClient();
  const { session } = useSession();
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const menuId = useId();
  const unread = useQuery(logQueries.unread());
  const latest = useQuery({ ...logQueries.latest(), enabled: anchor !== null });
  const markRead = useMutation({
    mutationFn: markAllRead,
    onSuccess: () => {
      queryClient.setQueryData(logQueries.unread().queryKey, {
        count: 0,
        since: new Date().toISOString(),
      });
      void queryClient.invalidateQueries({ queryKey: logQueries.unread().queryKey });
    },
  });

  const count = unread.data?.count ?? 0;
  const since = unread.data?.since ? Date.parse(unread.data.since) : null;
  const isUnread = (entry: { timestamp: string; userId?: string | null }) =>
    count > 0 &&
    entry.userId !== session?.user.id &&
    (since === null || Date.parse(entry.timestamp) > since);
  const label =
    count === 0
      ? "Notifications"
      : `Notifications, ${count >= UNREAD_CAP ? `${UNREAD_CAP}+` : count} unread`;
  const close = () => setAnchor(null);

  return (
    <>
      <Tooltip title={label}>
        <IconButton
          color="inherit"
          aria-label={label}
          aria-haspopup="menu"
          aria-controls={anchor ? menuId : undefined}
          aria-expanded={anchor ? "true" : undefined}
          onClick={(event) => setAnchor(event.currentTarget)}
        >
          {/* No badge at 0: a hidden badge keeps its last number in the page, which then
              reads as the button's text beside a name without it (axe). */}
          {count > 0 ? (
            <Badge badgeContent={count} max={99} color="error">
              <NotificationsIcon />
            </Badge>
          ) : (
            <NotificationsIcon />
          )}
        </IconButton>
      </Tooltip>
      <Menu
        id={menuId}
        anchorEl={anchor}
        open={anchor !== null}
        onClose={close}
        anchorOrigin={{ vertical: "bottom", horizontal: "right" }}
        transformOrigin={{ vertical: "top", horizontal: "right" }}
        slotProps={{
          paper: { sx: { width: 380, maxWidth: "100%" } },
          list: { "aria-label": "Needs attention" },
        }}
      >
        <Stack
          direction="row"
          alignItems="center"
          spacing={1}
          sx={{ px: 2, py: 1 }}
          component="li"
          role="none"
        >
          <Typography variant="subtitle1" component="h2" sx={{ flexGrow: 1 }}>
            Needs attention
          </Typography>
          <Button
            size="small"
            startIcon={<DoneAllIcon />}
            disabled={count === 0 || markRead.isPending}
            onClick={() => markRead.mutate()}
          >
            Mark all read
          </Button>
        </Stack>
        {markRead.isError && (
          <Typography color="error" variant="body2" sx={{ px: 2 }} component="li" role="none">
            {errorMessage(markRead.error)}
          </Typography>
        )}
        <Divider component="li" />
        {latest.isPending && (
          <Box sx={{ p: 2, textAlign: "center" }} component="li" role="none">
            <CircularProgress size={24} aria-label="Loading activity" />
          </Box>
        )}
        {latest.isError && (
          <Typography color="error" variant="body2" sx={{ p: 2 }} component="li" role="none">
            {errorMessage(latest.error)}
          </Typography>
        )}
        {latest.data?.length === 0 && (
          <Typography color="text.secondary" sx={{ p: 2 }} component="li" role="none">
            Nothing needs attention.
          </Typography>
        )}
        {latest.data?.map((entry) => (
          <MenuItem
            key={entry.id}
            component={Link}
            to={
              entry.environmentId
                ? `/environments/${entry.environmentId}?tab=activity`
                : `/activity?action=${entry.action}`
            }
            onClick={close}
            sx={{ alignItems: "flex-start", gap: 1.5, whiteSpace: "normal" }}
          >
            <Box sx={{ pt: 0.5 }}>
              <LevelChip level={entry.level} />
            </Box>
            <ListItemText
              primary={entry.message}
              secondary={[entry.username, entry.environmentName, formatDateTime(entry.timestamp)]
                .filter(Boolean)
                .join(" · ")}
              slotProps={{
                primary: { sx: { fontWeight: isUnread(entry) ? 600 : undefined } },
              }}
            />
          </MenuItem>
        ))}
        <Divider component="li" />
        <MenuItem component={Link} to="/activity" onClick={close} sx={{ justifyContent: "center" }}>
          Open the activity log
        </MenuItem>
      </Menu>
    </>
  );
}
