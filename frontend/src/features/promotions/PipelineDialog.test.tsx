import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { apiError, makeSession, NO_ENVIRONMENTS } from "../../test/fixtures";
import { makePipeline, promotionPage } from "../../test/promotions";
import { renderApp, type Responder, stubApi } from "../../test/renderApp";

afterEach(() => {
  vi.unstubAllGlobals();
});

const FIRST_RENDER = { timeout: 10_000 };
const NO_PIPELINES = {
  status: 200,
  body: { items: [], pagination: { page: 1, limit: 20, total: 0, totalPages: 0 } },
};

function stubPage(create: Responder) {
  return stubApi({
    ...NO_ENVIRONMENTS,
    "GET /api/v1/pipelines": NO_PIPELINES,
    "POST /api/v1/pipelines": create,
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
  renderApp("/pipelines", { session: makeSession("admin") });
  await userEvent.click(await screen.findByRole("button", { name: "New pipeline" }, FIRST_RENDER));
  return screen.findByRole("dialog", { name: "New pipeline" });
}

describe("Pipeline form", () => {
  it("checks the fields before sending anything", async () => {
    const fetchMock = stubPage({ status: 500 });
    const dialog = await openForm();
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

  it("shows the server's objections on their fields, then creates the pipeline", async () => {
    const bodies: unknown[] = [];
    let refuse = true;
    stubPage(async (request) => {
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
      return { status: 201, body: makePipeline() };
    });
    const dialog = await openForm();
    await fill(within(dialog).getByRole("textbox", { name: "Name" }), "shop");
    const first = within(dialog).getByRole("group", { name: "Stage 1" });
    await addTag(first, "dev");
    await userEvent.click(within(dialog).getByRole("button", { name: "Add a stage" }));
    const second = within(dialog).getByRole("group", { name: "Stage 2" });
    await fill(within(second).getByRole("textbox", { name: "Stage name" }), "prod");
    await addTag(second, "prod");
    const soak = within(second).getByRole("textbox", { name: "Soak time" });
    await fill(soak, "100d");
    await fill(within(second).getByRole("spinbutton", { name: "At most at once" }), "2");
    await userEvent.click(within(dialog).getByRole("button", { name: "Create pipeline" }));

    expect(
      await within(second).findByText("SoakTime must be between 0s and 90d"),
    ).toBeInTheDocument();
    expect(within(dialog).getByText("A pipeline named shop already exists")).toBeInTheDocument();
    expect(bodies[0]).toEqual({
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
        {
          name: "prod",
          environmentIds: [],
          tags: ["prod"],
          soakTime: "100d",
          approvals: null,
          maxParallel: 2,
          rollbackOnFailure: true,
        },
      ],
    });

    await fill(soak, "24h");
    await userEvent.click(within(dialog).getByRole("button", { name: "Create pipeline" }));
    // Created: the new pipeline's board opens.
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(await screen.findByRole("link", { name: "All pipelines" })).toBeInTheDocument();
    expect(bodies).toHaveLength(2);
  }, 45_000);

  it("keeps the stages in the order they are arranged", async () => {
    const bodies: { stages: { name: string }[] }[] = [];
    stubPage(async (request) => {
      bodies.push((await request.json()) as { stages: { name: string }[] });
      return { status: 201, body: makePipeline() };
    });
    const dialog = await openForm();
    await fill(within(dialog).getByRole("textbox", { name: "Name" }), "shop");
    const first = within(dialog).getByRole("group", { name: "Stage 1" });
    await addTag(first, "dev");
    await userEvent.click(within(dialog).getByRole("button", { name: "Add a stage" }));
    const second = within(dialog).getByRole("group", { name: "Stage 2" });
    await fill(within(second).getByRole("textbox", { name: "Stage name" }), "qa");
    await addTag(second, "qa");
    await userEvent.click(within(dialog).getByRole("button", { name: "Move qa earlier" }));
    await userEvent.click(within(dialog).getByRole("button", { name: "Create pipeline" }));

    await waitFor(() => expect(bodies).toHaveLength(1));
    expect(bodies[0]!.stages.map((stage) => stage.name)).toEqual(["qa", "dev"]);
  }, 30_000);
});
