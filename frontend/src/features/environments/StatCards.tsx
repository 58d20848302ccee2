import { Box, Card, CardContent, Skeleton, Typography } from "@mui/material";
import type { Theme } from "@mui/material/styles";

import { HEALTH_LABELS, healthColor } from "./health";
import { type EnvironmentSummary, HEALTH_STATES } from "./queries";

interface Stat {
  label: string;
  value: number | undefined;
  color: (theme: Theme) => string;
}

/** The counts at the top of the dashboard: all environments and each health state. */
export default function StatCards({ summary }: { summary: EnvironmentSummary | undefined }) {
  const stats: Stat[] = [
    { label: "Total", value: summary?.total, color: (theme) => theme.palette.primary.main },
    ...HEALTH_STATES.map((health) => ({
      label: HEALTH_LABELS[health],
      value: summary ? (summary.byHealth[health] ?? 0) : undefined,
      color: (theme: Theme) => healthColor(theme, health),
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
        gap: 2,
        gridTemplateColumns: { xs: "repeat(2, 1fr)", md: "repeat(4, 1fr)" },
      }}
    >
      {stats.map((stat) => (
        <Card
          key={stat.label}
          component="li"
          variant="outlined"
          aria-label={stat.label}
          sx={{ borderTop: 4, borderTopColor: stat.color }}
        >
          <CardContent>
            <Typography color="text.secondary" variant="body2">
              {stat.label}
            </Typography>
            <Typography variant="h4" component="p" sx={{ color: stat.color }}>
              {stat.value ?? <Skeleton width={48} />}
            </Typography>
          </CardContent>
        </Card>
      ))}
    </Box>
  );
}
