import type { UseFormReturn } from "react-hook-form";
import { z } from "zod";

import type { components } from "../../api/schema";
import type { Environment, EnvironmentConfig } from "./queries";

/** What the API shows instead of a stored secret value; sent back, it keeps it. */
export const MASK = "********";
export const VERSION_PLACEHOLDER = "{VERSION}";
export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] as const;
export const HOST_KEY_POLICIES = ["tofu", "pin", "off"] as const;
export const VALIDATION_TYPES = ["none", "statusCode", "jsonRegex", "jsonPath"] as const;
export const RESERVATION_POLICIES = [
  "none",
  "advisory",
  "exclusive",
] as const satisfies readonly Environment["reservationPolicy"][];

// The server's rules (domain/environment.py), checked here too.
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$/;
const TAG_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,49}$/;
const HEADER_NAME_PATTERN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const STATUS_CLASS = /^[1-5]xx$/;

/** A header row: `stored` when the server holds a secret value the form does not know. */
export interface HeaderRow {
  name: string;
  value: string;
  stored: boolean;
}

// Header names are checked in the schema's refinement: only for the request types shown.
const headerRow = z.object({ name: z.string(), value: z.string(), stored: z.boolean() });

function isUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function isRegex(text: string): boolean {
  try {
    new RegExp(text);
    return true;
  } catch {
    return false;
  }
}

const optionalUrl = z
  .string()
  .trim()
  .refine((u) => u === "" || isUrl(u), "Enter an http:// or https:// URL");

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/**
 * The URL a health check endpoint names, by the server's rule (domain/environment.py): a value
 * containing "://" as it is; a path joined to the environment URL with one slash between them.
 * Null when a path has no environment URL to join.
 */
export function resolveEndpoint(endpoint: string, environmentURL: string): string | null {
  if (endpoint.includes("://")) return endpoint;
  if (environmentURL === "") return null;
  const path = endpoint.replace(/^\/+/, "");
  const base = environmentURL.replace(/\/+$/, "");
  return path === "" ? base : `${base}/${path}`;
}

// A full URL, or a path (e.g. /health) resolved against the environment URL.
const optionalEndpoint = z
  .string()
  .trim()
  .refine(
    (e) => e === "" || (e.includes("://") ? isUrl(e) : !CONTROL_CHARACTERS.test(e)),
    "Enter a path such as /health, or an http:// or https:// URL",
  );
const jsonBody = z
  .string()
  .refine((b) => b.trim() === "" || isJson(b), "Not valid JSON (leave empty for no body)");
const optionalJsonPath = z
  .string()
  .trim()
  .refine((p) => p === "" || p.startsWith("$"), "A JSONPath starts with $");

function wholeNumber(min: number, max: number) {
  return z
    .string()
    .trim()
    .refine((v) => /^\d+$/.test(v) && Number(v) >= min && Number(v) <= max, {
      message: `Enter a whole number from ${min} to ${max}`,
    });
}

/** "200, 204" or "2xx": each a code from 100 to 599 or a class. */
function statusCodes(text: string): (number | string)[] | null {
  const parts = text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) return null;
  const codes: (number | string)[] = [];
  for (const part of parts) {
    if (STATUS_CLASS.test(part)) codes.push(part);
    else if (/^\d{3}$/.test(part) && Number(part) >= 100 && Number(part) <= 599) {
      codes.push(Number(part));
    } else return null;
  }
  return codes;
}

/** "pin, X-Team": names kept once each, whatever their case (the server's rule). */
export function parseSecretNames(text: string): string[] {
  const byCase = new Map<string, string>();
  for (const name of text.split(",").map((n) => n.trim())) {
    if (name && !byCase.has(name.toLowerCase())) byCase.set(name.toLowerCase(), name);
  }
  return [...byCase.values()];
}

export function parseTags(text: string): string[] {
  return [
    ...new Set(
      text
        .split(",")
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  ];
}

export const environmentSchema = z
  .object({
    name: z
      .string()
      .trim()
      .regex(
        NAME_PATTERN,
        "1–50 letters, digits, dots, dashes or underscores, starting with a letter or digit",
      ),
    description: z.string().max(2000, "Use at most 2000 characters"),
    environmentURL: optionalUrl,
    tags: z
      .string()
      .refine(
        (t) => parseTags(t).every((tag) => TAG_PATTERN.test(tag)),
        "Tags are letters, digits and ._:/- (separate them with commas)",
      )
      .refine((t) => parseTags(t).length <= 50, "At most 50 tags"),
    protected: z.boolean(),
    reservationPolicy: z.enum(RESERVATION_POLICIES),
    secretNames: z
      .string()
      .refine(
        (t) => parseSecretNames(t).every((name) => name.length <= 200),
        "A name has at most 200 characters",
      )
      .refine((t) => parseSecretNames(t).length <= 100, "At most 100 names"),

    host: z.string().trim().max(253, "Use at most 253 characters"),
    port: wholeNumber(1, 65535),
    domain: z.string().trim().max(253, "Use at most 253 characters"),
    hostKeyPolicy: z.enum(HOST_KEY_POLICIES),
    hostKey: z.string().max(16384, "Too long"),
    credentialType: z.enum(["key", "password"]),
    sshUsername: z.string().trim().max(100, "Use at most 100 characters"),
    keyId: z.string(),

    hcEnabled: z.boolean(),
    hcEndpoint: optionalEndpoint,
    hcMethod: z.enum(HTTP_METHODS),
    hcInterval: wholeNumber(10, 3600),
    hcTimeout: wholeNumber(1, 60),
    hcFailureThreshold: wholeNumber(1, 100),
    hcTlsVerify: z.boolean(),
    hcHeaders: z.array(headerRow),
    hcBody: jsonBody,
    hcValidationType: z.enum(VALIDATION_TYPES),
    hcStatusCodes: z.string(),
    hcJsonRegex: z.string(),
    hcJsonPath: z.string().trim(),
    hcJsonPathMode: z.enum(["equals", "matches"]),
    hcJsonPathValue: z.string(),
    hcVersionJsonPath: optionalJsonPath,

    restartType: z.enum(["ssh", "http"]),
    restartEnabled: z.boolean(),
    restartCommand: z.string().max(65536, "Too long"),
    restartUrl: z.string().trim(),
    restartMethod: z.enum(HTTP_METHODS),
    restartHeaders: z.array(headerRow),
    restartBody: z.string(),
    restartTimeout: wholeNumber(1, 86400),

    upgradeEnabled: z.boolean(),
    upgradeType: z.enum(["ssh", "http"]),
    versionListURL: optionalUrl,
    versionListMethod: z.enum(HTTP_METHODS),
    versionListHeaders: z.array(headerRow),
    versionListBody: jsonBody,
    jsonPathResponse: optionalJsonPath,
    upgradeCommand: z.string().max(65536, "Too long"),
    upgradeUrl: z.string().trim(),
    upgradeMethod: z.enum(HTTP_METHODS),
    upgradeHeaders: z.array(headerRow),
    upgradeBody: z.string(),
    // Not on the form yet: the stored value (or the 900 s default) is kept.
    upgradeTimeout: wholeNumber(1, 86400),
    verifyTimeout: wholeNumber(10, 3600),
    rollbackOnFailure: z.boolean(),
  })
  .superRefine((v, ctx) => {
    const problem = (path: keyof typeof v, message: string) =>
      ctx.addIssue({ code: "custom", path: [path], message });
    const checkHeaders = (list: HeaderListName) =>
      v[list].forEach((row, index) => {
        if (!HEADER_NAME_PATTERN.test(row.name.trim())) {
          ctx.addIssue({
            code: "custom",
            path: [list, index, "name"],
            message: "Enter a header name (no spaces)",
          });
        }
      });
    // Only what is shown is checked: the fields of the request type not chosen are not sent.
    checkHeaders("hcHeaders");
    checkHeaders("versionListHeaders");
    if (v.restartType === "http") {
      checkHeaders("restartHeaders");
      if (v.restartUrl !== "" && !isUrl(v.restartUrl)) {
        problem("restartUrl", "Enter an http:// or https:// URL");
      }
      if (v.restartBody.trim() !== "" && !isJson(v.restartBody)) {
        problem("restartBody", "Not valid JSON (leave empty for no body)");
      }
    }
    if (v.upgradeType === "http") {
      checkHeaders("upgradeHeaders");
      if (v.upgradeBody.trim() !== "" && !isJson(v.upgradeBody)) {
        problem("upgradeBody", "Not valid JSON (leave empty for no body)");
      }
    }
    if (v.hcEnabled && v.hcEndpoint === "")
      problem("hcEndpoint", "An enabled health check needs an endpoint");
    if (v.hcEndpoint !== "" && resolveEndpoint(v.hcEndpoint, v.environmentURL) === null) {
      problem(
        "hcEndpoint",
        "A path is joined to the environment URL: enter that URL, or a full http(s) URL here",
      );
    }
    if (Number(v.hcTimeout) >= Number(v.hcInterval)) {
      problem("hcTimeout", "The timeout must be shorter than the interval");
    }
    if (v.hcValidationType === "statusCode" && statusCodes(v.hcStatusCodes) === null) {
      problem("hcStatusCodes", "Codes from 100 to 599 or classes like 2xx, separated by commas");
    }
    if (v.hcValidationType === "jsonRegex" && (v.hcJsonRegex === "" || !isRegex(v.hcJsonRegex))) {
      problem("hcJsonRegex", "Enter a valid regular expression");
    }
    if (v.hcValidationType === "jsonPath") {
      if (!v.hcJsonPath.startsWith("$")) problem("hcJsonPath", "A JSONPath starts with $");
      if (v.hcJsonPathMode === "matches" && !isRegex(v.hcJsonPathValue)) {
        problem("hcJsonPathValue", "Enter a valid regular expression");
      }
    }
    if (v.restartEnabled && v.restartType === "ssh" && v.restartCommand.trim() === "") {
      problem("restartCommand", "An enabled SSH restart needs a command");
    }
    if (v.restartEnabled && v.restartType === "http" && v.restartUrl === "") {
      problem("restartUrl", "An enabled HTTP restart needs a URL");
    }
    if (
      v.upgradeEnabled &&
      v.upgradeType === "ssh" &&
      !v.upgradeCommand.includes(VERSION_PLACEHOLDER)
    ) {
      problem("upgradeCommand", `The upgrade command must contain ${VERSION_PLACEHOLDER}`);
    }
    if (
      v.upgradeEnabled &&
      v.upgradeType === "http" &&
      !(v.upgradeUrl + v.upgradeBody).includes(VERSION_PLACEHOLDER)
    ) {
      problem("upgradeUrl", `The upgrade URL or body must contain ${VERSION_PLACEHOLDER}`);
    }
  });

export type EnvironmentFormValues = z.infer<typeof environmentSchema>;
/** The form's react-hook-form handle, as each section of the form takes it. */
export type EnvironmentFormApi = UseFormReturn<EnvironmentFormValues>;

export type HeaderListName =
  "hcHeaders" | "restartHeaders" | "versionListHeaders" | "upgradeHeaders";

/** The server's field paths (details.fields) → the form's fields. */
export const SERVER_FIELDS: Partial<Record<string, keyof EnvironmentFormValues>> = {
  name: "name",
  description: "description",
  reservationPolicy: "reservationPolicy",
  environmentURL: "environmentURL",
  tags: "tags",
  secretNames: "secretNames",
  "target.host": "host",
  "target.port": "port",
  "target.domain": "domain",
  "target.hostKeyPolicy": "hostKeyPolicy",
  "target.hostKey": "hostKey",
  "credentials.username": "sshUsername",
  "credentials.keyId": "keyId",
  "healthCheck.endpoint": "hcEndpoint",
  "healthCheck.interval": "hcInterval",
  "healthCheck.timeout": "hcTimeout",
  "healthCheck.failureThreshold": "hcFailureThreshold",
  "healthCheck.validation": "hcValidationType",
  "healthCheck.versionJsonPath": "hcVersionJsonPath",
  "commands.restart.url": "restartUrl",
  "commands.restart.timeout": "restartTimeout",
  "upgradeConfig.versionListURL": "versionListURL",
  "upgradeConfig.jsonPathResponse": "jsonPathResponse",
  "upgradeConfig.verifyTimeout": "verifyTimeout",
  "upgradeConfig.upgradeCommand.timeout": "upgradeTimeout",
};

function headerRows(headers: Record<string, string> | undefined): HeaderRow[] {
  return Object.entries(headers ?? {}).map(([name, value]) =>
    value === MASK ? { name, value: "", stored: true } : { name, value, stored: false },
  );
}

function bodyText(body: unknown): string {
  return body === undefined || body === null ? "" : JSON.stringify(body, null, 2);
}

/** The form's values for an environment, or for a new one. */
export function toFormValues(env: Environment | null): EnvironmentFormValues {
  const hc = env?.healthCheck;
  const validation = hc?.validation;
  const rule =
    validation?.type === "jsonPath" &&
    typeof validation.value === "object" &&
    !Array.isArray(validation.value)
      ? validation.value
      : null;
  const restart = env?.commands?.restart;
  const upgrade = env?.upgradeConfig;
  const command = upgrade?.upgradeCommand;
  return {
    name: env?.name ?? "",
    description: env?.description ?? "",
    environmentURL: env?.environmentURL ?? "",
    tags: (env?.tags ?? []).join(", "),
    protected: env?.protected ?? false,
    reservationPolicy: env?.reservationPolicy ?? "advisory",
    secretNames: (env?.secretNames ?? []).join(", "),
    host: env?.target?.host ?? "",
    port: String(env?.target?.port ?? 22),
    domain: env?.target?.domain ?? "",
    hostKeyPolicy: env?.target?.hostKeyPolicy ?? "tofu",
    hostKey: env?.target?.hostKey ?? "",
    credentialType: env?.credentials?.type ?? "key",
    sshUsername: env?.credentials?.username ?? "",
    keyId: env?.credentials?.keyId ?? "",
    hcEnabled: hc?.enabled ?? false,
    hcEndpoint: hc?.endpoint ?? "",
    hcMethod: hc?.method ?? "GET",
    hcInterval: String(hc?.interval ?? 60),
    hcTimeout: String(hc?.timeout ?? 10),
    hcFailureThreshold: String(hc?.failureThreshold ?? 1),
    hcTlsVerify: hc?.tlsVerify ?? true,
    hcHeaders: headerRows(hc?.headers),
    hcBody: bodyText(hc?.body),
    hcValidationType: validation?.type ?? "none",
    hcStatusCodes:
      validation?.type === "statusCode"
        ? (Array.isArray(validation.value) ? validation.value : [validation.value]).join(", ")
        : "200",
    hcJsonRegex: validation?.type === "jsonRegex" ? String(validation.value) : "",
    hcJsonPath: rule?.path ?? "",
    hcJsonPathMode: rule?.matches ? "matches" : "equals",
    hcJsonPathValue: rule ? (rule.matches ?? JSON.stringify(rule.equals ?? null)) : "",
    hcVersionJsonPath: hc?.versionJsonPath ?? "",
    restartType: env?.commands?.type ?? "ssh",
    restartEnabled: restart?.enabled ?? false,
    restartCommand: restart?.command ?? "",
    restartUrl: restart?.url ?? "",
    restartMethod: restart?.method ?? "POST",
    restartHeaders: headerRows(restart?.headers),
    restartBody: bodyText(restart?.body),
    restartTimeout: String(restart?.timeout ?? 300),
    upgradeEnabled: upgrade?.enabled ?? false,
    upgradeType: upgrade?.type ?? "ssh",
    versionListURL: upgrade?.versionListURL ?? "",
    versionListMethod: upgrade?.versionListMethod ?? "GET",
    versionListHeaders: headerRows(upgrade?.versionListHeaders),
    versionListBody: bodyText(upgrade?.versionListBody),
    jsonPathResponse: upgrade?.jsonPathResponse ?? "",
    upgradeCommand: command?.command ?? "",
    upgradeUrl: command?.url ?? "",
    upgradeMethod: command?.method ?? "POST",
    upgradeHeaders: headerRows(command?.headers),
    upgradeBody: bodyText(command?.body),
    upgradeTimeout: String(command?.timeout ?? 900),
    verifyTimeout: String(upgrade?.verifyTimeout ?? 120),
    rollbackOnFailure: upgrade?.rollbackOnFailure ?? false,
  };
}

/**
 * Header rows as the API takes them: an untouched stored secret is sent masked (kept). Rows
 * without a valid name (only possible in a hidden, unchecked list) are left out.
 */
function headers(rows: HeaderRow[]): Record<string, string> {
  return Object.fromEntries(
    rows
      .filter((row) => HEADER_NAME_PATTERN.test(row.name.trim()))
      .map((row) => [row.name.trim(), row.stored && row.value === "" ? MASK : row.value]),
  );
}

/** A JSON body; none when empty (or, in a hidden and unchecked field, not JSON). */
function body(text: string): unknown {
  return text.trim() !== "" && isJson(text) ? JSON.parse(text) : null;
}

function validation(v: EnvironmentFormValues): components["schemas"]["HealthValidation"] | null {
  switch (v.hcValidationType) {
    case "statusCode": {
      const codes = statusCodes(v.hcStatusCodes) ?? [];
      return {
        type: "statusCode",
        value: codes.length === 1 && typeof codes[0] === "number" ? codes[0] : codes,
      };
    }
    case "jsonRegex":
      return { type: "jsonRegex", value: v.hcJsonRegex };
    case "jsonPath": {
      if (v.hcJsonPathMode === "matches") {
        return { type: "jsonPath", value: { path: v.hcJsonPath, matches: v.hcJsonPathValue } };
      }
      // A JSON value ("ok" with quotes, 1, true), or else the text as a string.
      const equals = isJson(v.hcJsonPathValue) ? JSON.parse(v.hcJsonPathValue) : v.hcJsonPathValue;
      return { type: "jsonPath", value: { path: v.hcJsonPath, equals } };
    }
    default:
      return null;
  }
}

/** The configuration to send (POST or PUT); what the form does not edit is kept from env. */
export function toConfig(v: EnvironmentFormValues, env: Environment | null): EnvironmentConfig {
  return {
    id: env?.id ?? "",
    name: v.name.trim(),
    description: v.description,
    environmentURL: v.environmentURL || null,
    tags: parseTags(v.tags),
    protected: v.protected,
    reservationPolicy: v.reservationPolicy,
    // Metadata is not edited here: its secrets come back masked and are kept.
    metadata: env?.metadata ?? {},
    secretNames: parseSecretNames(v.secretNames),
    target: {
      host: v.host,
      port: Number(v.port),
      domain: v.domain,
      hostKeyPolicy: v.hostKeyPolicy,
      hostKey: v.hostKey,
    },
    credentials: { type: v.credentialType, username: v.sshUsername, keyId: v.keyId || null },
    healthCheck: {
      enabled: v.hcEnabled,
      endpoint: v.hcEndpoint || null,
      method: v.hcMethod,
      interval: Number(v.hcInterval),
      timeout: Number(v.hcTimeout),
      failureThreshold: Number(v.hcFailureThreshold),
      tlsVerify: v.hcTlsVerify,
      headers: headers(v.hcHeaders),
      body: body(v.hcBody),
      validation: validation(v),
      versionJsonPath: v.hcVersionJsonPath || null,
    },
    commands: {
      type: v.restartType,
      restart: {
        enabled: v.restartEnabled,
        timeout: Number(v.restartTimeout),
        // The request fields of the type not chosen are kept when valid (they are not checked).
        command: v.restartCommand,
        url: isUrl(v.restartUrl) ? v.restartUrl : null,
        method: v.restartMethod,
        headers: headers(v.restartHeaders),
        body: body(v.restartBody),
      },
    },
    upgradeConfig: {
      enabled: v.upgradeEnabled,
      type: v.upgradeType,
      versionListURL: v.versionListURL || null,
      versionListMethod: v.versionListMethod,
      versionListHeaders: headers(v.versionListHeaders),
      versionListBody: body(v.versionListBody),
      jsonPathResponse: v.jsonPathResponse || null,
      upgradeCommand: {
        command: v.upgradeCommand,
        url: v.upgradeUrl,
        method: v.upgradeMethod,
        headers: headers(v.upgradeHeaders),
        body: body(v.upgradeBody),
        timeout: Number(v.upgradeTimeout),
      },
      verifyTimeout: Number(v.verifyTimeout),
      rollbackOnFailure: v.rollbackOnFailure,
    },
  };
}
