import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { readText } from "../../lib/readText";
import { apiError, environmentList, makeEnvironment, makeSession } from "../../test/fixtures";
import { renderApp, stubApi } from "../../test/renderApp";

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const ADMIN = makeSession("admin");
const SUMMARY = {
  status: 200,
  body: { total: 1, byHealth: { healthy: 1, unhealthy: 0, unknown: 0 }, byTag: {} },
};
const YAML = "apiVersion: envdeck/v1\nkind: Environments\nenvironments:\n  - name: alpha\n";
const PLAN = [
  { name: "alpha", action: "update", fields: ["description", "tags"] },
  { name: "gamma", action: "create", fields: [] },
  { name: "beta", action: "unchanged", fields: [] },
];

async function openDialog() {
  const user = userEvent.setup();
  await user.click(await screen.findByRole("button", { name: "Import / export" }));
  const dialog = await screen.findByRole("dialog", { name: "Import / export environments" });
  return { user, dialog };
}

describe("Import / export dialog", () => {
  it("shows the dry run's diff, then applies the import", async () => {
    const imports: { dryRun: string | null; type: string | null; body: string }[] = [];
    let applied = false;
    stubApi({
      "GET /api/v1/environments": () =>
        environmentList(applied ? [makeEnvironment("alpha"), makeEnvironment("gamma")] : []),
      "GET /api/v1/environments/summary": SUMMARY,
      "POST /api/v1/environments/import": async (request) => {
        const dryRun = new URL(request.url).searchParams.get("dryRun");
        imports.push({
          dryRun,
          type: request.headers.get("Content-Type"),
          body: await request.text(),
        });
        applied = dryRun === "false";
        return { status: 200, body: { dryRun: !applied, applied, changes: PLAN } };
      },
    });
    renderApp("/environments", { session: ADMIN });
    const { user, dialog } = await openDialog();

    expect(within(dialog).getByRole("button", { name: "Check import" })).toBeDisabled();
    // Pasted text: typing YAML's braces and newlines through user-event is awkward.
    fireEvent.change(within(dialog).getByRole("textbox", { name: "YAML" }), {
      target: { value: YAML },
    });
    await user.click(within(dialog).getByRole("button", { name: "Check import" }));

    const table = await within(dialog).findByRole("table", { name: "Planned changes" });
    const rows = within(table).getAllByRole("row").slice(1);
    const cells = rows.map((row) =>
      within(row)
        .getAllByRole("cell")
        .map((c) => c.textContent),
    );
    expect(cells).toEqual([
      ["alpha", "Update", "description, tags"],
      ["gamma", "Create", "—"],
      ["beta", "Unchanged", "—"],
    ]);
    expect(imports).toEqual([{ dryRun: "true", type: "application/yaml", body: YAML }]);
    expect(applied).toBe(false);

    await user.click(within(dialog).getByRole("button", { name: "Apply import" }));

    expect(await screen.findByText("Imported 2 environment(s).")).toBeInTheDocument();
    expect(imports.at(-1)).toEqual({ dryRun: "false", type: "application/yaml", body: YAML });
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(await screen.findByRole("article", { name: "gamma" })).toBeInTheDocument();
  });

  it("reads a chosen file and shows each environment's problems", async () => {
    stubApi({
      "GET /api/v1/environments": environmentList([]),
      "GET /api/v1/environments/summary": SUMMARY,
      "POST /api/v1/environments/import": apiError(
        422,
        "VALIDATION_ERROR",
        "the file has invalid environments",
        {
          environments: [
            { environment: "alpha", errors: ["healthCheck.interval: must be at least 10"] },
            { environment: "beta", errors: ["name: invalid", "target.port: too large"] },
          ],
        },
      ),
    });
    renderApp("/environments", { session: ADMIN });
    const { user, dialog } = await openDialog();

    const file = new File([YAML], "prod.yaml", { type: "application/yaml" });
    await user.upload(within(dialog).getByLabelText("YAML file"), file);
    expect(await within(dialog).findByText("prod.yaml")).toBeInTheDocument();
    // The name shows as soon as the file is chosen; its text arrives once it has been read.
    await waitFor(() =>
      expect(within(dialog).getByRole("textbox", { name: "YAML" })).toHaveValue(YAML),
    );
    await user.click(within(dialog).getByRole("button", { name: "Check import" }));

    const alert = await within(dialog).findByRole("alert");
    expect(alert).toHaveTextContent("The file has invalid environments");
    const problems = within(alert).getByRole("list", { name: "Problems by environment" });
    expect(
      within(problems)
        .getAllByRole("listitem")
        .map((li) => li.textContent),
    ).toEqual([
      "alpha: healthCheck.interval: must be at least 10",
      "beta: name: invalid; target.port: too large",
    ]);
    expect(within(dialog).queryByRole("button", { name: "Apply import" })).not.toBeInTheDocument();
  });

  it("downloads the export as a YAML file", async () => {
    stubApi({
      "GET /api/v1/environments": environmentList([]),
      "GET /api/v1/environments/summary": SUMMARY,
      "GET /api/v1/environments/export": {
        status: 200,
        text: YAML,
        headers: { "Content-Type": "application/yaml" },
      },
    });
    const blobs: Blob[] = [];
    URL.createObjectURL = vi.fn((blob: Blob) => {
      blobs.push(blob);
      return "blob:envdeck-export";
    });
    URL.revokeObjectURL = vi.fn();
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => {});
    renderApp("/environments", { session: ADMIN });
    const { user, dialog } = await openDialog();

    await user.click(within(dialog).getByRole("button", { name: "Download YAML" }));

    await waitFor(() => expect(click).toHaveBeenCalledTimes(1));
    const link = click.mock.contexts[0] as HTMLAnchorElement;
    expect(link.download).toBe("environments.yaml");
    expect(link.href).toBe("blob:envdeck-export");
    expect(await readText(blobs[0]!)).toBe(YAML);
    await waitFor(() => expect(URL.revokeObjectURL).toHaveBeenCalledWith("blob:envdeck-export"));
  });
});
