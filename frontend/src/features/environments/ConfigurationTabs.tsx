import { Box, Tab, Tabs } from "@mui/material";
import { useState } from "react";

import DetailList, { type DetailItem } from "./DetailList";
import type { Environment } from "./queries";

type TabName = "health" | "restart" | "upgrade";

const VALIDATION_LABELS: Record<string, string> = {
  statusCode: "Status code",
  jsonRegex: "JSON regex",
  jsonPath: "JSONPath",
};

function yesNo(value: boolean | undefined): string {
  return value ? "Yes" : "No";
}

/** Header names and values as the API shows them (secret values already read "********"). */
function headerList(headers: Record<string, string> | undefined): string {
  const entries = Object.entries(headers ?? {});
  return entries.length === 0 ? "" : entries.map(([name, value]) => `${name}: ${value}`).join("\n");
}

function json(value: unknown): string {
  return value === undefined || value === null ? "" : JSON.stringify(value);
}

type Validation = NonNullable<NonNullable<Environment["healthCheck"]>["validation"]>;

/** A validation rule as a person reads it (`200, 204`; `$.status equals "ok"`), not as JSON. */
function validationText({ type, value }: Validation): string {
  const label = VALIDATION_LABELS[type] ?? type;
  if (Array.isArray(value)) return `${label}: ${value.join(", ")}`;
  if (typeof value !== "object") return `${label}: ${value}`;
  if (typeof value.matches === "string") return `${label}: ${value.path} matches ${value.matches}`;
  // A string in quotes, so "1" and 1 read differently; anything else as its JSON.
  const equals =
    typeof value.equals === "string" ? `"${value.equals}"` : JSON.stringify(value.equals ?? null);
  return `${label}: ${value.path} equals ${equals}`;
}

function healthItems(environment: Environment): DetailItem[] {
  const check = environment.healthCheck;
  const validation = check?.validation;
  return [
    { label: "Enabled", value: yesNo(check?.enabled) },
    { label: "Endpoint", value: check?.endpoint },
    { label: "Checks URL", value: check?.resolvedEndpoint },
    { label: "Method", value: check?.method },
    { label: "Interval", value: check ? `${check.interval} s` : "" },
    { label: "Timeout", value: check ? `${check.timeout} s` : "" },
    { label: "Failure threshold", value: check?.failureThreshold },
    { label: "Verify TLS", value: yesNo(check?.tlsVerify ?? true) },
    { label: "Headers", value: headerList(check?.headers) },
    { label: "Body", value: json(check?.body) },
    {
      label: "Validation",
      value: validation ? validationText(validation) : "",
    },
    { label: "Version JSONPath", value: check?.versionJsonPath },
  ];
}

function restartItems(environment: Environment): DetailItem[] {
  const commands = environment.commands;
  const restart = commands?.restart;
  const type = commands?.type ?? "ssh";
  return [
    { label: "Enabled", value: yesNo(restart?.enabled) },
    { label: "Type", value: type.toUpperCase() },
    ...(type === "ssh"
      ? [{ label: "Command", value: restart?.command }]
      : [
          { label: "Method", value: restart?.method },
          { label: "URL", value: restart?.url },
          { label: "Headers", value: headerList(restart?.headers) },
          { label: "Body", value: json(restart?.body) },
        ]),
    { label: "Timeout", value: restart ? `${restart.timeout} s` : "" },
  ];
}

function upgradeItems(environment: Environment): DetailItem[] {
  const upgrade = environment.upgradeConfig;
  const command = upgrade?.upgradeCommand;
  const type = upgrade?.type ?? "ssh";
  return [
    { label: "Enabled", value: yesNo(upgrade?.enabled) },
    { label: "Type", value: type.toUpperCase() },
    { label: "Version list URL", value: upgrade?.versionListURL },
    { label: "Version list method", value: upgrade?.versionListMethod },
    { label: "Version list headers", value: headerList(upgrade?.versionListHeaders) },
    { label: "Version list body", value: json(upgrade?.versionListBody) },
    { label: "Versions JSONPath", value: upgrade?.jsonPathResponse },
    ...(type === "ssh"
      ? [{ label: "Upgrade command", value: command?.command }]
      : [
          { label: "Upgrade method", value: command?.method },
          { label: "Upgrade URL", value: command?.url },
          { label: "Upgrade headers", value: headerList(command?.headers) },
          { label: "Upgrade body", value: json(command?.body) },
        ]),
    { label: "Verify timeout", value: upgrade ? `${upgrade.verifyTimeout} s` : "" },
    { label: "Roll back on failure", value: yesNo(upgrade?.rollbackOnFailure) },
  ];
}

const TABS: { name: TabName; label: string; items: (environment: Environment) => DetailItem[] }[] =
  [
    { name: "health", label: "Health check", items: healthItems },
    { name: "restart", label: "Restart", items: restartItems },
    { name: "upgrade", label: "Upgrade", items: upgradeItems },
  ];

/** An environment's health-check, restart and upgrade configuration, read-only, in tabs. */
export default function ConfigurationTabs({ environment }: { environment: Environment }) {
  const [tab, setTab] = useState<TabName>("health");
  const current = TABS.find((t) => t.name === tab) ?? TABS[0]!;
  return (
    <Box>
      <Tabs
        value={tab}
        onChange={(_event, next: TabName) => setTab(next)}
        aria-label="Configuration"
        sx={{ borderBottom: 1, borderColor: "divider", mb: 2 }}
      >
        {TABS.map((t) => (
          <Tab
            key={t.name}
            value={t.name}
            label={t.label}
            id={`config-tab-${t.name}`}
            aria-controls={`config-panel-${t.name}`}
          />
        ))}
      </Tabs>
      <Box
        role="tabpanel"
        id={`config-panel-${current.name}`}
        aria-labelledby={`config-tab-${current.name}`}
        sx={{ whiteSpace: "pre-line" }}
      >
        <DetailList items={current.items(environment)} />
      </Box>
    </Box>
  );
}
