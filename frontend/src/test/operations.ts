import type { components } from "../api/schema";
import { makeEnvironment } from "./fixtures";
import type { Responder } from "./renderApp";

type Environment = components["schemas"]["EnvironmentPublic"];
type Operation = components["schemas"]["Operation"];

/** An environment with an HTTP restart and an HTTP upgrade with a version list. */
export function operableEnvironment(name: string, overrides: Partial<Environment> = {}) {
  return makeEnvironment(name, {
    systemInfo: {
      appVersion: "2.4.0",
      osVersion: "Debian 12",
      kernel: "",
      versionUnverified: false,
    },
    commands: {
      type: "http",
      restart: {
        enabled: true,
        command: "",
        url: `https://${name}.example.test/restart`,
        method: "POST",
        headers: {},
        timeout: 300,
      },
    },
    upgradeConfig: {
      enabled: true,
      type: "http",
      versionListURL: `https://${name}.example.test/versions`,
      versionListMethod: "GET",
      versionListHeaders: {},
      jsonPathResponse: "$.versions[*]",
      upgradeCommand: {
        command: "",
        url: `https://${name}.example.test/upgrade`,
        method: "POST",
        headers: {},
        body: { version: "{VERSION}" },
        timeout: 900,
      },
      verifyTimeout: 120,
      rollbackOnFailure: false,
    },
    ...overrides,
  } as Partial<Environment>);
}

/** An operation as the API shows it. */
export function makeOperation(overrides: Partial<Operation> = {}): Operation {
  return {
    id: "0000000000000000000000a1",
    environmentId: "env-alpha".padEnd(24, "0").slice(0, 24),
    environmentName: "alpha",
    type: "upgrade",
    status: "running",
    params: { force: false, version: "2.5.0", previousVersion: "2.4.0" },
    requestedBy: { userId: "id-ada", username: "ada" },
    createdAt: "2025-03-01T09:30:00Z",
    startedAt: "2025-03-01T09:30:00Z",
    finishedAt: null,
    durationMs: null,
    exitCode: null,
    httpStatus: null,
    output: "",
    outputSeq: 0,
    error: null,
    verification: null,
    rollbackOf: null,
    rollbackOperationId: null,
    ...overrides,
  };
}

/**
 * The answer to a restart or an upgrade: the operation has started (202). Each request's JSON
 * body is added to `bodies`, to look at what was sent.
 */
export function startsOperation(operation: Operation, bodies: unknown[]): Responder {
  return async (request) => {
    bodies.push(await request.json());
    return {
      status: 202,
      body: { operationId: operation.id, status: "in_progress", startedAt: operation.startedAt },
    };
  };
}
