import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { apiError, makeSession, NO_ENVIRONMENTS, onePage } from "../../test/fixtures";
import { makePipeline, promotionPage } from "../../test/promotions";
import { renderApp, type Responder, stubApi } from "../../test/renderApp";

afterEach(() => {
  vi.unstubAllGlobals();
});

const FIRST_RENDER = { timeout: 10_000 };

const SHOP = makePipeline();

function stubPage(create: Responder, replace: Responder = { status: 500 }) {
  return stubApi({
    ...NO_ENVIRONMENTS,
    "GET /api/v1/pipelines": onePage("items", [SHOP]),
    "POST /api/v1/pipelines": create,
    [`PUT /api/v1/pipelines/${SHOP.id}`]: replace,
    "GET /api/v1/promotions": promotionPage([]),
  });
}

/** Replace a field's text (pasted: typing key by key re-renders the whole form each time). */
async function fill(field: HTMLElement, text: string) {
  await userEvent.clear(field);
  await userEvent.click(field);
  await userEvent.paste(text);
}

async function addTag(stage: HTMLElement, tag: string) {
  await fill(within(stage).getByRole("combobox", { name: "Tags" }), tag);
  await userEvent.keyboard("{Enter}");
}

async function openForm() {
  const { router } = renderApp("/pipelines", { session: makeSession("admin") });
  await userEvent.click(await screen.findByRole("button", { name: "New pipeline" }, FIRST_RENDER));
  return { router, dialog: await screen.findByRole("dialog", { name: "New pipeline" }) };
}

async function openEdit() {
  renderApp("/pipelines", { session: makeSession("admin") });
  await userEvent.click(await screen.findByRole("button", { name: "Edit shop" }, FIRST_RENDER));
  return screen.findByRole("dialog", { name: "Edit shop" });
}

describe("Pipeline form", () => {
  it("checks the fields before sending anything", async () => {
    const fetchMock = stubPage({ status: 500 });
    const { dialog } = await openForm();
    const stage = within(dialog).getByRole("group", { name: "Stage 1" });
    await fill(within(stage).getByRole("textbox", { name: "Soak time" }), "soon");
    await userEvent.click(within(dialog).getByRole("button", { name: "Add a stage" }));
    const second = within(dialog).getByRole("group", { name: "Stage 2" });
    await fill(within(second).getByRole("textbox", { name: "Stage name" }), "dev");
    await userEvent.click(within(dialog).getByRole("button", { name: "Create pipeline" }));

    expect(await within(dialog).findByText("Enter a name")).toBeInTheDocument();
    expect(within(stage).getByText("Enter a duration such as 0s, 30m or 24h")).toBeInTheDocument();
    expect(within(stage).getByText("Choose environments or tags")).toBeInTheDocument();
    expect(within(second).getByText("Another stage has this name")).toBeInTheDocument();
    expect(fetchMock.mock.calls.some(([request]) => request.method === "POST")).toBe(false);
  }, 30_000);

  it("shows the server's objections on the fields they name, then saves", async () => {
    const bodies: unknown[] = [];
    let refuse = true;
    stubPage({ status: 500 }, async (request) => {
      bodies.push(await request.json());
      if (refuse) {
        refuse = false;
        return apiError(422, "VALIDATION_ERROR", "invalid value", {
          fields: [
            { field: "stages.1.soakTime", message: "soakTime must be between 0s and 90d" },
            { field: "name", message: "a pipeline named shop already exists" },
          ],
        });
      }
      return { status: 200, body: SHOP };
    });
    const dialog = await openEdit();
    const prod = within(dialog).getByRole("group", { name: "Stage 2" });
    const soak = within(prod).getByRole("textbox", { name: "Soak time" });
    await fill(soak, "100d");
    await userEvent.click(within(dialog).getByRole("button", { name: "Save" }));

    expect(
      await within(prod).findByText("SoakTime must be between 0s and 90d"),
    ).toBeInTheDocument();
    expect(within(dialog).getByText("A pipeline named shop already exists")).toBeInTheDocument();
    expect(bodies[0]).toEqual({
      name: "shop",
      description: "The shop's release road",
      stages: [
        {
          name: "staging",
          environmentIds: [],
          tags: ["shop", "staging"],
          soakTime: "24h",
          approvals: null,
          maxParallel: 1,
          rollbackOnFailure: true,
        },
        {
          name: "prod",
          environmentIds: [],
          tags: ["shop", "prod"],
          soakTime: "100d",
          approvals: 1,
          maxParallel: 1,
          rollbackOnFailure: true,
        },
      ],
    });

    await fill(soak, "0s");
    await userEvent.click(within(dialog).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(await screen.findByText("Saved shop.")).toBeInTheDocument();
    expect(bodies).toHaveLength(2);
  }, 30_000);

  it("creates a pipeline and opens its board", async () => {
    const bodies: unknown[] = [];
    stubPage(async (request) => {
      bodies.push(await request.json());
      return { status: 201, body: SHOP };
    });
    const { router, dialog } = await openForm();
    await fill(within(dialog).getByRole("textbox", { name: "Name" }), "shop");
    await addTag(within(dialog).getByRole("group", { name: "Stage 1" }), "dev");
    await userEvent.click(within(dialog).getByRole("button", { name: "Create pipeline" }));

    await waitFor(() => expect(router.state.location.pathname).toBe(`/pipelines/${SHOP.id}`));
    expect(bodies).toEqual([
      {
        name: "shop",
        description: "",
        stages: [
          {
            name: "dev",
            environmentIds: [],
            tags: ["dev"],
            soakTime: "0s",
            approvals: null,
            maxParallel: 1,
            rollbackOnFailure: true,
          },
        ],
      },
    ]);
  }, 30_000);

  it("keeps the stages in the order they are arranged", async () => {
    const bodies: { stages: { name: string }[] }[] = [];
    stubPage({ status: 500 }, async (request) => {
      bodies.push((await request.json()) as { stages: { name: string }[] });
      return { status: 200, body: SHOP };
    });
    const dialog = await openEdit();
    await userEvent.click(within(dialog).getByRole("button", { name: "Move prod earlier" }));
    await userEvent.click(within(dialog).getByRole("button", { name: "Save" }));

    await waitFor(() => expect(bodies).toHaveLength(1));
    expect(bodies[0]!.stages.map((stage) => stage.name)).toEqual(["prod", "staging"]);
  }, 30_000);
});
