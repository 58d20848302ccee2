import { configure, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { expectNoAccess } from "../test/access";
import { apiError, makeSession, NO_ENVIRONMENTS, onePage } from "../test/fixtures";
import { type Answer, renderApp, requestsTo, stubApi } from "../test/renderApp";

afterEach(() => {
  vi.unstubAllGlobals();
});

// A page's first render loads its code, which takes a while on a busy machine.
configure({ asyncUtilTimeout: 5_000 });

const ADMIN = makeSession("admin");

const EVENTS = {
  status: 200,
  body: {
    events: [
      { name: "environment.unhealthy", description: "An environment became unhealthy" },
      { name: "environment.recovered", description: "An environment is healthy again" },
      { name: "operation.failed", description: "A restart or upgrade failed" },
      { name: "operation.succeeded", description: "A restart or upgrade succeeded" },
      { name: "version.changed", description: "An environment reports a new version" },
    ],
  },
};

const SLACK = {
  id: "64b7f0c2a1d3e4f5a6b7c8d9",
  name: "Ops Slack",
  service: "slack",
  events: ["environment.unhealthy", "environment.recovered"],
  scope: { kind: "tags" as const, tags: ["prod"], environmentIds: [] },
  enabled: true,
  createdBy: { userId: "id-ada", username: "ada" },
  createdAt: "2025-01-01T00:00:00Z",
  updatedAt: "2025-01-01T00:00:00Z",
  lastDelivery: {
    at: "2025-03-01T09:30:00Z",
    event: "environment.unhealthy",
    status: "sent" as const,
    attempts: 1,
    error: null,
    environmentId: "e".repeat(24),
    environmentName: "shop-prod",
  },
};
const HOOK = {
  ...SLACK,
  id: "64b7f0c2a1d3e4f5a6b7c8da",
  name: "CI hook",
  service: "json",
  events: ["operation.failed"],
  scope: { kind: "all" as const, tags: [], environmentIds: [] },
  lastDelivery: {
    ...SLACK.lastDelivery,
    event: "operation.failed",
    status: "failed" as const,
    attempts: 3,
    error: "connection refused",
  },
};

function channelList(channels: unknown[] = [SLACK, HOOK]): Answer {
  return onePage("channels", channels);
}

const ANSWERS = {
  ...NO_ENVIRONMENTS,
  "GET /api/v1/notifications/channels": channelList(),
  "GET /api/v1/notifications/events": EVENTS,
};

describe("Notifications page", { timeout: 20_000 }, () => {
  it("is neither shown nor offered to a viewer", async () => {
    const fetchMock = stubApi({ ...NO_ENVIRONMENTS });
    renderApp("/notifications", { session: makeSession("viewer") });

    await expectNoAccess(fetchMock, { link: "Notifications", path: "/notifications" });
  });

  it("lists channels with their last delivery, never a URL", async () => {
    stubApi(ANSWERS);
    renderApp("/notifications", { session: ADMIN });
    const user = userEvent.setup();

    const table = await screen.findByRole("table", { name: "Notification channels" });
    const slack = (await within(table).findByText("Ops Slack")).closest("tr")!;
    expect(within(slack).getByText("slack")).toBeInTheDocument();
    expect(within(slack).getByText("environment.recovered")).toBeInTheDocument();
    expect(within(slack).getByText("tag: prod")).toBeInTheDocument();
    expect(within(slack).getByText("Sent")).toBeInTheDocument();

    const hook = within(table).getByText("CI hook").closest("tr")!;
    expect(within(hook).getByText("All environments")).toBeInTheDocument();
    const failed = within(hook).getByText("Failed");
    await user.hover(failed);
    expect(await screen.findByRole("tooltip")).toHaveTextContent(
      "operation.failed about shop-prod, 3 attempts: connection refused",
    );
    expect(screen.getByRole("link", { name: "Notifications" })).toHaveAttribute(
      "href",
      "/notifications",
    );
  });

  it("creates a channel for some tags' environments, with the events chosen", async () => {
    let created: unknown = null;
    stubApi({
      ...ANSWERS,
      "GET /api/v1/environments/summary": {
        status: 200,
        body: { total: 1, byHealth: { healthy: 1, unhealthy: 0, unknown: 0 }, byTag: { qa: 1 } },
      },
      "POST /api/v1/notifications/channels": async (request) => {
        created = await request.json();
        return { status: 201, body: { ...HOOK, name: "QA hook" } };
      },
    });
    renderApp("/notifications", { session: ADMIN });
    const user = userEvent.setup();

    await user.click(await screen.findByRole("button", { name: "New channel" }));
    const dialog = await screen.findByRole("dialog", { name: "New channel" });
    expect(within(dialog).getByText(/json:\/\/host:port\/path/)).toBeInTheDocument();
    expect(within(dialog).getByText(/slack:\/\//)).toBeInTheDocument();
    await user.type(within(dialog).getByLabelText("Name"), "QA hook");
    const url = within(dialog).getByLabelText("Apprise URL");
    expect(url).toHaveAttribute("type", "password");
    await user.type(url, "json://127.0.0.1:9/hook");
    await user.click(
      await within(dialog).findByRole("checkbox", { name: "environment.recovered" }),
    );
    await user.click(within(dialog).getByRole("checkbox", { name: "operation.failed" }));
    await user.click(within(dialog).getByRole("radio", { name: "Environments with some tags" }));
    await user.click(within(dialog).getByRole("button", { name: "Create channel" }));
    expect(await within(dialog).findByText("Choose at least one tag")).toBeInTheDocument();

    await user.type(within(dialog).getByRole("combobox", { name: "Tags" }), "qa{Enter}");
    await user.click(within(dialog).getByRole("button", { name: "Create channel" }));

    expect(await screen.findByText("Created QA hook.")).toBeInTheDocument();
    expect(created).toEqual({
      name: "QA hook",
      url: "json://127.0.0.1:9/hook",
      events: ["environment.unhealthy", "operation.failed"],
      enabled: true,
      scope: { kind: "tags", tags: ["qa"], environmentIds: [] },
    });
  });

  it("shows the server's refusal of a URL next to the field", async () => {
    stubApi({
      ...ANSWERS,
      "POST /api/v1/notifications/channels": apiError(
        422,
        "VALIDATION_ERROR",
        "Apprise does not accept this URL",
        { field: "url" },
      ),
    });
    renderApp("/notifications", { session: ADMIN });
    const user = userEvent.setup();

    await user.click(await screen.findByRole("button", { name: "New channel" }));
    const dialog = await screen.findByRole("dialog", { name: "New channel" });
    await user.type(within(dialog).getByLabelText("Name"), "broken");
    await user.type(within(dialog).getByLabelText("Apprise URL"), "nope://x");
    await user.click(within(dialog).getByRole("button", { name: "Create channel" }));

    expect(await within(dialog).findByText("Apprise does not accept this URL")).toBeInTheDocument();
  });

  it("keeps the stored URL when an edit leaves the field empty", async () => {
    let patch: unknown = null;
    stubApi({
      ...ANSWERS,
      [`PATCH /api/v1/notifications/channels/${SLACK.id}`]: async (request) => {
        patch = await request.json();
        return { status: 200, body: { ...SLACK, name: "Ops Slack 2" } };
      },
    });
    renderApp("/notifications", { session: ADMIN });
    const user = userEvent.setup();

    await user.click(await screen.findByRole("button", { name: "Edit Ops Slack" }));
    const dialog = await screen.findByRole("dialog", { name: "Edit Ops Slack" });
    expect(within(dialog).getByLabelText("New Apprise URL (optional)")).toHaveValue("");
    expect(within(dialog).getByText(/Leave empty to keep the stored URL/)).toBeInTheDocument();
    expect(
      await within(dialog).findByRole("checkbox", { name: "environment.unhealthy" }),
    ).toBeChecked();
    const name = within(dialog).getByLabelText("Name");
    await user.clear(name);
    await user.type(name, "Ops Slack 2");
    await user.click(within(dialog).getByRole("button", { name: "Save" }));

    expect(await screen.findByText("Saved Ops Slack 2.")).toBeInTheDocument();
    expect(patch).toEqual({ name: "Ops Slack 2" });
  });

  it("tests a channel and shows the result in place and in a message", async () => {
    let answer: Answer = {
      status: 200,
      body: {
        at: "2025-03-02T10:00:00Z",
        event: "test",
        status: "failed",
        attempts: 1,
        error: "connection refused by 127.0.0.1:9",
      },
    };
    let listed = channelList([{ ...HOOK, lastDelivery: null }]);
    stubApi({
      ...ANSWERS,
      "GET /api/v1/notifications/channels": () => listed,
      [`POST /api/v1/notifications/channels/${HOOK.id}/test`]: () => answer,
    });
    renderApp("/notifications", { session: ADMIN });
    const user = userEvent.setup();

    const table = await screen.findByRole("table", { name: "Notification channels" });
    const cell = await within(table).findByRole("cell", { name: "Last delivery of CI hook" });
    expect(cell).toHaveTextContent("Never");
    listed = channelList([{ ...HOOK, lastDelivery: { ...(answer.body as object) } }]);
    await user.click(within(table).getByRole("button", { name: "Test CI hook" }));

    expect(
      await screen.findByText("Test message to CI hook failed: connection refused by 127.0.0.1:9"),
    ).toBeInTheDocument();
    await waitFor(() => expect(cell).toHaveTextContent("Failed"));

    answer = { ...answer, body: { ...(answer.body as object), status: "sent", error: null } };
    listed = channelList([{ ...HOOK, lastDelivery: { ...(answer.body as object) } }]);
    await user.click(within(table).getByRole("button", { name: "Test CI hook" }));

    expect(await screen.findByText("Test message sent to CI hook.")).toBeInTheDocument();
    await waitFor(() => expect(cell).toHaveTextContent("Sent"));
  });

  it("deletes a channel after asking", async () => {
    const fetchMock = stubApi({
      ...ANSWERS,
      [`DELETE /api/v1/notifications/channels/${HOOK.id}`]: { status: 204 },
    });
    renderApp("/notifications", { session: ADMIN });
    const user = userEvent.setup();

    await user.click(await screen.findByRole("button", { name: "Delete CI hook" }));
    const confirm = await screen.findByRole("dialog", { name: "Delete CI hook?" });
    await user.click(within(confirm).getByRole("button", { name: "Delete channel" }));

    expect(await screen.findByText("Deleted CI hook.")).toBeInTheDocument();
    expect(requestsTo(fetchMock)).toContain(`DELETE /api/v1/notifications/channels/${HOOK.id}`);
  });
});
