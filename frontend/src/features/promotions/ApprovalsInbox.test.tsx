import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { apiError, makeSession } from "../../test/fixtures";
import { makePromotion, promotionPage } from "../../test/promotions";
import { renderApp, type Responder, stubApi } from "../../test/renderApp";

afterEach(() => {
  vi.unstubAllGlobals();
});

const FIRST_RENDER = { timeout: 10_000 };
const INBOX = "Promotions awaiting approval";
const NO_PIPELINES = {
  status: 200,
  body: { items: [], pagination: { page: 1, limit: 20, total: 0, totalPages: 0 } },
};
// ada is the admin of makeSession("admin").
const BY_OLIVE = makePromotion({ status: "awaiting_approval", approvalsRequired: 1 });
const BY_ADA = makePromotion({
  id: "0000000000000000000000b2",
  stage: "qa",
  version: "2.6.0",
  status: "awaiting_approval",
  approvalsRequired: 1,
  requestedBy: { userId: "id-ada", username: "ada" },
});

function stubInbox(answers: Record<string, Responder>) {
  const asked: URLSearchParams[] = [];
  let waiting = [BY_OLIVE, BY_ADA];
  const fetchMock = stubApi({
    "GET /api/v1/pipelines": NO_PIPELINES,
    "GET /api/v1/promotions": (request) => {
      asked.push(new URL(request.url).searchParams);
      return promotionPage(waiting);
    },
    ...answers,
  });
  return { asked, fetchMock, settle: (left: typeof waiting) => (waiting = left) };
}

describe("Approvals inbox", () => {
  it("lists the promotions awaiting approval and approves one", async () => {
    const inbox = stubInbox({
      [`POST /api/v1/promotions/${BY_OLIVE.id}/approve`]: () => {
        inbox.settle([BY_ADA]);
        return { status: 200, body: { ...BY_OLIVE, status: "running" } };
      },
    });
    renderApp("/pipelines", { session: makeSession("admin") });

    const table = await screen.findByRole("table", { name: INBOX }, FIRST_RENDER);
    expect(inbox.asked[0]!.get("status")).toBe("awaiting_approval");
    expect(within(table).getByRole("link", { name: "shop: 2.5.0 to prod" })).toHaveAttribute(
      "href",
      `/promotions/${BY_OLIVE.id}`,
    );
    expect(within(table).getByText("ada (you)")).toBeInTheDocument();

    await userEvent.click(within(table).getByRole("button", { name: "Approve 2.5.0 to prod" }));
    await waitFor(() =>
      expect(
        within(table).queryByRole("link", { name: "shop: 2.5.0 to prod" }),
      ).not.toBeInTheDocument(),
    );
    expect(within(table).getByRole("link", { name: "shop: 2.6.0 to qa" })).toBeInTheDocument();
  });

  it("shows why the server refused an admin's approval of their own promotion", async () => {
    stubInbox({
      [`POST /api/v1/promotions/${BY_ADA.id}/approve`]: apiError(
        403,
        "FORBIDDEN",
        "ada requested this promotion: another admin must approve it",
      ),
    });
    renderApp("/pipelines", { session: makeSession("admin") });

    const table = await screen.findByRole("table", { name: INBOX }, FIRST_RENDER);
    await userEvent.click(within(table).getByRole("button", { name: "Approve 2.6.0 to qa" }));

    expect(
      await screen.findByText("Ada requested this promotion: another admin must approve it"),
    ).toBeInTheDocument();
    // Still waiting.
    expect(within(table).getByRole("link", { name: "shop: 2.6.0 to qa" })).toBeInTheDocument();
  });

  it("rejects a promotion with the reason given", async () => {
    const reasons: unknown[] = [];
    const inbox = stubInbox({
      [`POST /api/v1/promotions/${BY_OLIVE.id}/reject`]: async (request) => {
        reasons.push(await request.json());
        inbox.settle([BY_ADA]);
        return { status: 200, body: { ...BY_OLIVE, status: "rejected" } };
      },
    });
    renderApp("/pipelines", { session: makeSession("admin") });

    const table = await screen.findByRole("table", { name: INBOX }, FIRST_RENDER);
    await userEvent.click(within(table).getByRole("button", { name: "Reject 2.5.0 to prod" }));
    const dialog = await screen.findByRole("dialog", { name: "Reject 2.5.0 to prod" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Reject" }));
    expect(await within(dialog).findByText("Say why")).toBeInTheDocument();
    expect(reasons).toEqual([]);

    await userEvent.type(within(dialog).getByRole("textbox", { name: "Reason" }), "Freeze week");
    await userEvent.click(within(dialog).getByRole("button", { name: "Reject" }));

    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(reasons).toEqual([{ reason: "Freeze week" }]);
    expect(
      within(table).queryByRole("link", { name: "shop: 2.5.0 to prod" }),
    ).not.toBeInTheDocument();
  });

  it("is for admins only", async () => {
    const { asked } = stubInbox({});
    renderApp("/pipelines", { session: makeSession("user") });

    expect(
      await screen.findByRole("heading", { name: "Pipelines", level: 1 }, FIRST_RENDER),
    ).toBeInTheDocument();
    expect(await screen.findByText("No pipeline yet.")).toBeInTheDocument();
    expect(screen.queryByRole("region", { name: "Approvals" })).not.toBeInTheDocument();
    expect(asked).toEqual([]);
  });
});
