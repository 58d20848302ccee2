import { Box, Link, Typography } from "@mui/material";

/** Examples of the URLs Apprise reads; no request leaves the page to show them. */
const EXAMPLES = [
  ["Slack", "slack://TokenA/TokenB/TokenC/#channel"],
  ["Microsoft Teams", "workflows://host/workflow/signature"],
  ["Email", "mailtos://user:password@example.com?to=ops@example.com"],
  ["Discord", "discord://webhook_id/webhook_token"],
  ["PagerDuty", "pagerduty://integration_key@api_key"],
  ["A webhook (JSON POST; jsons:// for HTTPS)", "json://host:port/path"],
] as const;

export const APPRISE_DOCS = "https://github.com/caronc/apprise/wiki";

/** A short help on Apprise URLs, and where to read about every service. */
export default function AppriseHelp() {
  return (
    <Box sx={{ mt: 1, mx: 1.75 }}>
      <Typography variant="caption" color="text.secondary" component="div">
        One URL per channel, in Apprise's form for the service (
        <Link href={APPRISE_DOCS} target="_blank" rel="noopener noreferrer">
          Apprise's list of services
        </Link>
        ), for example:
      </Typography>
      <Box component="ul" sx={{ m: 0, pl: 2.5 }} aria-label="Examples of Apprise URLs">
        {EXAMPLES.map(([service, url]) => (
          <Typography component="li" variant="caption" color="text.secondary" key={service}>
            {service}: <code>{url}</code>
          </Typography>
        ))}
      </Box>
    </Box>
  );
}
