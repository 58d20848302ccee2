import { Alert, Box, Paper, Stack, Typography } from "@mui/material";
import type { ComponentType } from "react";

import { formatDateTime } from "../../lib/formatDate";
import type { StatusPageEnvironment, StatusPageView } from "./queries";
import { formatUptime } from "./uptime";
import UptimeBars from "./UptimeBars";

type Health = StatusPageEnvironment["health"];

const OVERALL: Record<Health, { severity: "success" | "error" | "info"; text: string }> = {
  healthy: { severity: "success", text: "Every environment is healthy" },
  unhealthy: { severity: "error", text: "Some environments are unhealthy" },
  unknown: { severity: "info", text: "Some environments have not been checked yet" },
};

interface StatusPageBoardProps {
  view: StatusPageView;
  /** Shows a health state (from the page). */
  HealthChip: ComponentType<{ health: Health }>;
}

/** A status page: the overall state, then each environment's health, version and uptime. */
export default function StatusPageBoard({ view, HealthChip }: StatusPageBoardProps) {
  const overall = OVERALL[view.overall];
  return (
    <Stack spacing={2}>
      <Box>
        <Typography variant="h4" component="h1">
          {view.title}
        </Typography>
        {view.description && (
          <Typography color="text.secondary" sx={{ mt: 0.5 }}>
            {view.description}
          </Typography>
        )}
      </Box>
      {view.environments.length === 0 ? (
        <Alert severity="info">No environments on this page yet.</Alert>
      ) : (
        <Alert severity={overall.severity}>{overall.text}</Alert>
      )}
      <Stack spacing={1.5} component="ul" sx={{ listStyle: "none", p: 0, m: 0 }}>
        {view.environments.map((environment) => (
          <Paper
            key={environment.name}
            component="li"
            variant="outlined"
            aria-label={environment.name}
            sx={{ p: 2 }}
          >
            <Stack
              direction="row"
              spacing={1}
              useFlexGap
              sx={{ alignItems: "center", flexWrap: "wrap", mb: 1 }}
            >
              <Typography variant="subtitle1" component="h2" sx={{ fontWeight: "medium" }}>
                {environment.name}
              </Typography>
              <HealthChip health={environment.health} />
              <Typography variant="body2" color="text.secondary" sx={{ ml: "auto" }}>
                {environment.version ? `Version ${environment.version}` : "Version unknown"}
              </Typography>
            </Stack>
            <UptimeBars name={environment.name} days={environment.days} />
            <Stack direction="row" sx={{ justifyContent: "space-between", mt: 0.5 }}>
              <Typography variant="caption" color="text.secondary" aria-hidden="true">
                {view.days} days ago
              </Typography>
              <Typography variant="caption" color="text.secondary">
                {`${formatUptime(environment.uptime)} uptime over ${view.days} days`}
              </Typography>
              <Typography variant="caption" color="text.secondary" aria-hidden="true">
                Today
              </Typography>
            </Stack>
          </Paper>
        ))}
      </Stack>
      {view.leftOff > 0 && (
        <Typography variant="body2" color="text.secondary">
          {view.leftOff} more environments are in this group and not shown.
        </Typography>
      )}
      <Typography variant="caption" color="text.secondary">
        Updated {formatDateTime(view.generatedAt)}
        {view.public ? " · public page" : ""}
      </Typography>
    </Stack>
  );
}
