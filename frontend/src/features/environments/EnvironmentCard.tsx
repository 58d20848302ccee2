import { Box, Card, CardContent, Link, Stack, Typography } from "@mui/material";
import { memo, Suspense } from "react";
import { Link as RouterLink } from "react-router";

import { formatResponseTime } from "../../lib/duration";
import { formatDateTime } from "../../lib/formatDate";
import { useOneTabStop } from "../../lib/useOneTabStop";
import EnvironmentActionsMenu from "./EnvironmentActionsMenu";
import { stateColor } from "./health";
import HealthChip from "./HealthChip";
import type { Environment } from "./queries";
import type { EnvironmentSlots, HealthPoint } from "./slots";
import TagChips from "./TagChips";

const SPARKLINE_HEIGHT = 32;

interface EnvironmentCardProps {
  environment: Environment;
  /** Admins get the actions menu; nobody else sees it. */
  canManage: boolean;
  onDelete: (environment: Environment) => void;
  /** The last hour's checks; undefined while they load. */
  sparkline?: HealthPoint[];
  /** What the card shows of operations, reservations, maintenance and health (from the page). */
  slots: Omit<EnvironmentSlots, "useSparklines">;
}

/**
 * One environment on the dashboard's grid: health (for how long, response time, the last
 * hour's sparkline), who holds it, name, description, URL, version, tags. Memoised: a live
 * update of one environment re-renders its card, not the page's others.
 */
export default memo(EnvironmentCard);

function EnvironmentCard({
  environment,
  canManage,
  onDelete,
  sparkline,
  slots: { OperationActions, ReservationControl, MaintenanceChip, HealthSince, Sparkline },
}: EnvironmentCardProps) {
  const status = environment.status;
  const health = status?.health ?? "unknown";
  const version = environment.systemInfo?.appVersion;
  // One tab stop per card (its name); the arrow keys reach its buttons.
  const tabStop = useOneTabStop<HTMLDivElement>();
  return (
    <Card
      component="article"
      variant="outlined"
      aria-label={environment.name}
      ref={tabStop.ref}
      onKeyDown={tabStop.onKeyDown}
      sx={{
        height: "100%",
        borderLeft: 6,
        borderLeftColor: (theme) => stateColor(theme, health, environment.activeOperation),
      }}
    >
      <CardContent>
        <Stack spacing={1}>
          <Stack direction="row" spacing={1} alignItems="center">
            <Typography variant="h6" component="h2" sx={{ flexGrow: 1, minWidth: 0 }} noWrap>
              <Link
                component={RouterLink}
                to={`/environments/${environment.id}`}
                underline="hover"
                data-tab-stop
              >
                {environment.name}
              </Link>
            </Typography>
            <HealthChip health={health} operation={environment.activeOperation} />
            {canManage && <EnvironmentActionsMenu environment={environment} onDelete={onDelete} />}
          </Stack>
          {/* A line of its own: in the title's row it would crowd the name out. */}
          <MaintenanceChip environment={environment} sx={{ alignSelf: "flex-start" }} />
          <ReservationControl environment={environment} compact />
          {environment.description && (
            <Typography
              variant="body2"
              color="text.secondary"
              sx={{
                display: "-webkit-box",
                WebkitLineClamp: 2,
                WebkitBoxOrient: "vertical",
                overflow: "hidden",
              }}
            >
              {environment.description}
            </Typography>
          )}
          {environment.environmentURL && (
            <Link
              href={environment.environmentURL}
              target="_blank"
              rel="noopener noreferrer"
              variant="body2"
              noWrap
            >
              {environment.environmentURL}
            </Link>
          )}
          <TagChips tags={environment.tags} />
          <Suspense fallback={<Box sx={{ height: SPARKLINE_HEIGHT }} />}>
            <Sparkline
              points={sparkline}
              health={health}
              label={`Response times of ${environment.name} over the last hour`}
              height={SPARKLINE_HEIGHT}
            />
          </Suspense>
          <Box sx={{ display: "flex", columnGap: 2, flexWrap: "wrap" }}>
            <HealthSince health={health} since={status?.since} />
            {typeof status?.responseTime === "number" && (
              <Typography variant="caption" color="text.secondary">
                {formatResponseTime(status.responseTime)}
              </Typography>
            )}
          </Box>
          <Box sx={{ display: "flex", columnGap: 2, flexWrap: "wrap" }}>
            <Typography variant="caption" color="text.secondary">
              Version: {version || "—"}
            </Typography>
            <Typography variant="caption" color="text.secondary">
              Last check: {formatDateTime(status?.lastCheck, "Never")}
            </Typography>
          </Box>
          <OperationActions environment={environment} compact />
        </Stack>
      </CardContent>
    </Card>
  );
}
