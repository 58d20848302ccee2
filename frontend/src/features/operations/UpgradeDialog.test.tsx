import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { apiError, makeSession } from "../../test/fixtures";
import { makeOperation, operableEnvironment, startsOperation } from "../../test/operations";
import { renderApp, stubApi } from "../../test/renderApp";

afterEach(() => {
  vi.unstubAllGlobals();
});

const FIRST_RENDER = { timeout: 10_000 };
const ALPHA = operableEnvironment("alpha");
const PATH = `/api/v1/environments/${ALPHA.id}`;
const OPERATION = makeOperation();
const VERSIONS = {
  status: 200,
  body: {
    currentVersion: "2.4.0",
    availableVersions: ["2.5.0", "2.4.1", "2.4.0", "2.3.1", "1.10"],
  },
};

function previewOf(request: Request) {
  const version = new URL(request.url).searchParams.get("version");
  return {
    status: 200,
    body: {
      type: "http",
      request: {
        method: "POST",
        url: "https://alpha.example.test/upgrade",
        headers: {},
        body: { version },
      },
    },
  };
}

async function openUpgrade(environment = ALPHA) {
  const user = userEvent.setup();
  renderApp(`/environments/${environment.id}`, { session: makeSession("admin") });
  await user.click(await screen.findByRole("button", { name: "Upgrade" }, FIRST_RENDER));
  return { user, dialog: await screen.findByRole("dialog", { name: "Upgrade alpha" }) };
}

describe("Upgrade dialog", () => {
  it("lists the versions with the running one marked and how far behind it is", async () => {
    stubApi({ [`GET ${PATH}`]: { status: 200, body: ALPHA }, [`GET ${PATH}/versions`]: VERSIONS });
    const { dialog } = await openUpgrade();
    const list = await within(dialog).findByRole("listbox", { name: "Versions" });
    const options = within(list).getAllByRole("option");
    // Kept exactly as listed: "1.10" is not "1.1".
    expect(options.map((o) => o.textContent)).toEqual([
      "2.5.0",
      "2.4.1",
      "2.4.0current",
      "2.3.1",
      "1.10",
    ]);
    expect(within(dialog).getByText("Behind by 2")).toBeInTheDocument();
    expect(within(dialog).getByRole("button", { name: "Upgrade" })).toBeDisabled();
  });

  it("searches the list, previews the command with the version filled in, and starts it", async () => {
    const bodies: unknown[] = [];
    stubApi({
      [`GET ${PATH}`]: { status: 200, body: ALPHA },
      [`GET ${PATH}/versions`]: VERSIONS,
      [`GET ${PATH}/commands/preview`]: previewOf,
      [`POST ${PATH}/upgrade`]: startsOperation(OPERATION, bodies),
      [`GET /api/v1/operations/${OPERATION.id}`]: { status: 200, body: OPERATION },
    });
    const { user, dialog } = await openUpgrade();
    await within(dialog).findByRole("listbox", { name: "Versions" });

    await user.type(within(dialog).getByRole("textbox", { name: "Search versions" }), "2.4");
    const options = within(dialog).getAllByRole("option");
    expect(options.map((o) => o.textContent)).toEqual(["2.4.1", "2.4.0current"]);
    await user.click(within(dialog).getByRole("option", { name: "2.4.1" }));

    const preview = await within(dialog).findByLabelText("Command preview");
    expect(preview).toHaveTextContent('"version": "2.4.1"');
    await user.click(within(dialog).getByRole("button", { name: "Upgrade to 2.4.1" }));

    expect(await screen.findByRole("region", { name: "Operation" })).toBeInTheDocument();
    expect(bodies).toEqual([{ version: "2.4.1", force: false }]);
  });

  it("says clearly when the version list cannot be fetched", async () => {
    stubApi({
      [`GET ${PATH}`]: { status: 200, body: ALPHA },
      [`GET ${PATH}/versions`]: apiError(502, "UPSTREAM_ERROR", "the version list answered 500"),
    });
    const { dialog } = await openUpgrade();
    expect(
      await within(dialog).findByText(
        "Could not fetch the version list: The version list answered 500",
      ),
    ).toBeInTheDocument();
    expect(within(dialog).getByRole("button", { name: "Upgrade" })).toBeDisabled();
  });

  it("takes a typed version when no list is configured, checked as the server checks it", async () => {
    const environment = {
      ...ALPHA,
      upgradeConfig: { ...ALPHA.upgradeConfig!, versionListURL: null },
    };
    const fetchMock = stubApi({
      [`GET ${PATH}`]: { status: 200, body: environment },
      [`GET ${PATH}/commands/preview`]: previewOf,
    });
    const { user, dialog } = await openUpgrade(environment);
    const field = within(dialog).getByRole("textbox", { name: "Version" });

    await user.type(field, "2.5.0; rm -rf /");
    expect(
      within(dialog).getByText(
        "Letters, digits and . _ + ~ - only, starting with a letter or a digit",
      ),
    ).toBeInTheDocument();
    expect(within(dialog).getByRole("button", { name: "Upgrade" })).toBeDisabled();

    await user.clear(field);
    await user.type(field, "2.6.0-rc.1");
    expect(await within(dialog).findByLabelText("Command preview")).toHaveTextContent(
      '"version": "2.6.0-rc.1"',
    );
    expect(within(dialog).getByRole("button", { name: "Upgrade to 2.6.0-rc.1" })).toBeEnabled();
    // The hostile text never reached the server, not even for a preview.
    await waitFor(() => {
      const asked = fetchMock.mock.calls
        .map(([request]) => new URL(request.url))
        .filter((url) => url.pathname.endsWith("/commands/preview"))
        .map((url) => url.searchParams.get("version"));
      expect(asked).toEqual(["2.6.0-rc.1"]);
    });
  });
});
