import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { apiError, makeEnvironment, makeSession, onePage } from "../../test/fixtures";
import { renderApp, requestsTo, stubApi } from "../../test/renderApp";

afterEach(() => {
  vi.unstubAllGlobals();
});

const ADMIN = makeSession("admin");
const NO_CREDENTIALS = onePage("credentials", [], 200);
const ALPHA = makeEnvironment("alpha", {
  healthCheck: {
    enabled: true,
    endpoint: "https://alpha.example.test/health",
    method: "GET",
    interval: 60,
    timeout: 10,
    failureThreshold: 1,
    tlsVerify: true,
    headers: { Authorization: "********" },
    validation: { type: "jsonPath", value: { path: "$.status", equals: "ok" } },
    versionJsonPath: "$.version",
  },
});
const PATH = `/api/v1/environments/${ALPHA.id}`;
const TEST = "POST /api/v1/health-checks/test";

vi.setConfig({ testTimeout: 20_000 });
// The first render loads the form page's chunk: slow on a busy machine.
const FIRST_RENDER = { timeout: 10_000 };

describe("The form's health-check Test button", () => {
  it("tests the health check as edited, with the stored environment's secrets", async () => {
    let sent: Record<string, unknown> | null = null;
    const fetchMock = stubApi({
      "GET /api/v1/credentials": NO_CREDENTIALS,
      [`GET ${PATH}`]: { status: 200, body: ALPHA },
      [TEST]: async (request) => {
        sent = (await request.json()) as Record<string, unknown>;
        return {
          status: 200,
          body: {
            health: "healthy",
            message: "OK",
            responseTime: 12,
            checkedAt: "2025-03-01T09:31:00Z",
            details: { statusCode: 200, version: "2.4.0", response: '{"status": "ok"}' },
          },
        };
      },
    });
    const user = userEvent.setup();
    renderApp(`/environments/${ALPHA.id}/edit`, { session: ADMIN });

    const timeout = await screen.findByLabelText("Timeout (s)", {}, FIRST_RENDER);
    await user.clear(timeout);
    await user.type(timeout, "3");
    await user.click(screen.getByRole("button", { name: "Test health check" }));

    const result = await screen.findByRole("alert", { name: "Check result" }, FIRST_RENDER);
    expect(result).toHaveTextContent("Healthy");
    expect(result).toHaveTextContent("Version: 2.4.0");
    expect(within(result).getByLabelText("Response body")).toHaveTextContent('{"status": "ok"}');
    expect(sent).toEqual({
      environmentId: ALPHA.id,
      environmentURL: "https://alpha.example.test",
      healthCheck: expect.objectContaining({
        endpoint: "https://alpha.example.test/health",
        timeout: 3,
        headers: { Authorization: "********" },
        validation: { type: "jsonPath", value: { path: "$.status", equals: "ok" } },
        versionJsonPath: "$.version",
      }),
    });
    // Nothing was saved.
    expect(requestsTo(fetchMock)).not.toContain(`PUT ${PATH}`);
  });

  it("asks for an endpoint first, without asking the server", async () => {
    const fetchMock = stubApi({ "GET /api/v1/credentials": NO_CREDENTIALS });
    const user = userEvent.setup();
    renderApp("/environments/new", { session: ADMIN });

    await user.click(
      await screen.findByRole("button", { name: "Test health check" }, FIRST_RENDER),
    );
    expect(await screen.findByText("Enter an endpoint to test.")).toBeInTheDocument();
    expect(requestsTo(fetchMock)).not.toContain(TEST);
  });

  it("points at the health-check fields that are wrong", async () => {
    const fetchMock = stubApi({ "GET /api/v1/credentials": NO_CREDENTIALS });
    const user = userEvent.setup();
    renderApp("/environments/new", { session: ADMIN });

    await user.type(await screen.findByLabelText("Endpoint", {}, FIRST_RENDER), "not a url");
    await user.click(screen.getByRole("button", { name: "Test health check" }));
    expect(
      await screen.findByText("Fix the health-check fields above first."),
    ).toBeInTheDocument();
    expect(requestsTo(fetchMock)).not.toContain(TEST);
  });

  it("shows the server's refusal, and a failed target as a result", async () => {
    let answer = apiError(422, "VALIDATION_ERROR", "the endpoint's host is not allowed");
    stubApi({
      "GET /api/v1/credentials": NO_CREDENTIALS,
      [TEST]: () => answer,
    });
    const user = userEvent.setup();
    renderApp("/environments/new", { session: ADMIN });

    const endpoint = await screen.findByLabelText("Endpoint", {}, FIRST_RENDER);
    await user.type(endpoint, "https://beta.example.test/health");
    await user.click(screen.getByRole("button", { name: "Test health check" }));
    expect(await screen.findByText("The endpoint's host is not allowed")).toBeInTheDocument();

    answer = {
      status: 200,
      body: {
        health: "unhealthy",
        message: "Connection refused",
        responseTime: null,
        details: { statusCode: null, response: null },
      },
    } as unknown as typeof answer;
    await user.click(screen.getByRole("button", { name: "Test health check" }));
    const result = await screen.findByRole("alert", { name: "Check result" });
    expect(result).toHaveTextContent("Connection refused");
    await waitFor(() =>
      expect(screen.queryByText("The endpoint's host is not allowed")).not.toBeInTheDocument(),
    );
  });
});
