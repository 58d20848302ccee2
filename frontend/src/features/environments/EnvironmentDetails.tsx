import { Chip, Link, Paper, Stack, Typography } from "@mui/material";
import type { ReactNode } from "react";

import { formatDateTime } from "../../lib/formatDate";
import ConfigurationTabs from "./ConfigurationTabs";
import DetailList from "./DetailList";
import type { Environment } from "./queries";
import TagChips from "./TagChips";

const HOST_KEY_POLICIES = {
  tofu: "Trust on first use",
  pin: "Pinned host key",
  off: "Off (not checked)",
} as const;

interface EnvironmentDetailsProps {
  environment: Environment;
  /**
   * The name of the SSH credential: a string once looked up, null when it could not be (or the
   * reader may not see credentials), undefined while it is loading.
   */
  credentialName: string | null | undefined;
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Paper variant="outlined" component="section" aria-label={title} sx={{ p: 2 }}>
      <Typography variant="h6" component="h2" sx={{ mb: 1.5 }}>
        {title}
      </Typography>
      {children}
    </Paper>
  );
}

/** Whether anything of the environment goes over SSH (else its SSH fields mean nothing). */
function usesSsh({ commands, upgradeConfig, target }: Environment): boolean {
  const restart = commands?.restart?.enabled === true && (commands.type ?? "ssh") === "ssh";
  const upgrade = upgradeConfig?.enabled === true && (upgradeConfig.type ?? "ssh") === "ssh";
  // A host someone set is theirs to see, even while nothing uses it.
  return restart || upgrade || Boolean(target?.host);
}

function metadataValue(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** An environment's overview, configuration (read-only) and timestamps. */
export default function EnvironmentDetails({
  environment,
  credentialName,
}: EnvironmentDetailsProps) {
  const { target, credentials, timestamps, status, systemInfo } = environment;
  const keyId = credentials?.keyId;
  const credential = !keyId
    ? ""
    : credentialName === undefined
      ? "Loading…"
      : (credentialName ?? `Stored credential (${keyId})`);
  const policy = target?.hostKeyPolicy ?? "tofu";
  const metadata = Object.entries(environment.metadata ?? {});
  return (
    <Stack spacing={2}>
      <Section title="Overview">
        <DetailList
          items={[
            { label: "Description", value: environment.description },
            {
              label: "URL",
              value: environment.environmentURL && (
                <Link href={environment.environmentURL} target="_blank" rel="noopener noreferrer">
                  {environment.environmentURL}
                </Link>
              ),
            },
            { label: "Version", value: systemInfo?.appVersion },
            { label: "Operating system", value: systemInfo?.osVersion },
            { label: "Health message", value: status?.message },
            { label: "Last check", value: formatDateTime(status?.lastCheck, "Never") },
            { label: "Protected", value: environment.protected ? "Yes" : "No" },
            {
              label: "Tags",
              value: environment.tags?.length ? <TagChips tags={environment.tags} /> : "",
            },
          ]}
        />
      </Section>
      <Section title="Target">
        {usesSsh(environment) ? (
          <DetailList
            items={[
              { label: "Host", value: target?.host },
              { label: "Port", value: target?.port ?? 22 },
              { label: "Domain", value: target?.domain },
              {
                label: "Host-key policy",
                value:
                  policy === "off" ? (
                    <Chip size="small" color="warning" label={HOST_KEY_POLICIES.off} />
                  ) : (
                    HOST_KEY_POLICIES[policy]
                  ),
              },
              { label: "SSH username", value: credentials?.username },
              { label: "Credential", value: credential },
            ]}
          />
        ) : (
          <Typography variant="body2" color="text.secondary">
            Nothing goes over SSH: restart and upgrade use HTTP (or are off), and no SSH host is
            set.
          </Typography>
        )}
      </Section>
      {metadata.length > 0 && (
        <Section title="Metadata">
          <DetailList
            items={metadata.map(([key, value]) => ({ label: key, value: metadataValue(value) }))}
          />
        </Section>
      )}
      <Section title="Configuration">
        <ConfigurationTabs environment={environment} />
      </Section>
      <Section title="Timestamps">
        <DetailList
          items={[
            { label: "Created", value: formatDateTime(timestamps?.createdAt) },
            { label: "Updated", value: formatDateTime(timestamps?.updatedAt) },
            { label: "Last healthy", value: formatDateTime(timestamps?.lastHealthyAt, "Never") },
            { label: "Last restart", value: formatDateTime(timestamps?.lastRestartAt, "Never") },
            { label: "Last upgrade", value: formatDateTime(timestamps?.lastUpgradeAt, "Never") },
          ]}
        />
      </Section>
    </Stack>
  );
}
