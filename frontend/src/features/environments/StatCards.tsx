import { Box, Card, CardActionArea, CardContent, Skeleton, Typography } from "@mui/material";
import type { Theme } from "@mui/material/styles";

import { HEALTH_LABELS, healthColor } from "./health";
import { type EnvironmentSummary, HEALTH_STATES, type HealthState } from "./queries";

interface Stat {
  label: string;
  value: number | undefined;
  color: (theme: Theme) => string;
  /** The health filter the card applies; null for all environments. */
  health: HealthState | null;
}

interface StatCardsProps {
  summary: EnvironmentSummary | undefined;
  /** The health filter in force (its card is shown pressed); null for none. */
  status?: HealthState | null;
  /** Filter by a card's health (null: Total, every environment); the cards are buttons then. */
  onStatus?: (status: HealthState | null) => void;
}

/**
 * The counts at the top of the dashboard: all environments and each health state. With
 * onStatus, a card filters the dashboard to its health (Total shows all again).
 */
export default function StatCards({ summary, status = null, onStatus }: StatCardsProps) {
  const stats: Stat[] = [
    {
      label: "Total",
      value: summary?.total,
      color: (theme) => theme.palette.primary.main,
      health: null,
    },
    ...HEALTH_STATES.map((health) => ({
      label: HEALTH_LABELS[health],
      value: summary ? (summary.byHealth[health] ?? 0) : undefined,
      color: (theme: Theme) => healthColor(theme, health),
      health,
    })),
  ];
  return (
    <Box
      component="ul"
      aria-label="Environment counts"
      sx={{
        listStyle: "none",
        m: 0,
        p: 0,
        display: "grid",
        // Four across on a phone too, smaller: two rows of them would fill its first screen.
        gap: { xs: 1, sm: 2 },
        gridTemplateColumns: "repeat(4, minmax(0, 1fr))",
      }}
    >
      {stats.map((stat) => {
        const pressed = onStatus !== undefined && stat.health === status;
        const content = (
          <CardContent sx={{ p: { xs: 1, sm: 2 }, "&:last-child": { pb: { xs: 1, sm: 3 } } }}>
            <Typography
              color="text.secondary"
              variant="body2"
              noWrap
              sx={{ fontSize: { xs: "0.75rem", sm: "0.875rem" } }}
            >
              {stat.label}
            </Typography>
            <Typography
              variant="h4"
              component="p"
              sx={{ color: stat.color, fontSize: { xs: "1.5rem", sm: "2.125rem" } }}
            >
              {stat.value ?? <Skeleton width={48} />}
            </Typography>
          </CardContent>
        );
        return (
          <Card
            key={stat.label}
            component="li"
            variant="outlined"
            aria-label={stat.label}
            sx={{
              borderTop: 4,
              borderTopColor: stat.color,
              ...(pressed && { outline: 2, outlineColor: stat.color, outlineOffset: -2 }),
            }}
          >
            {onStatus ? (
              <CardActionArea
                aria-pressed={pressed}
                onClick={() => onStatus(stat.health)}
              >
                {content}
              </CardActionArea>
            ) : (
              content
            )}
          </Card>
        );
      })}
    </Box>
  );
}
