import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { apiError, makeSession } from "../../test/fixtures";
import {
  boardEnvironment,
  boardStage,
  makeBoard,
  makePipeline,
  makePromotion,
  PIPELINE_ID,
  promotionPage,
} from "../../test/promotions";
import { renderApp, type Responder, stubApi } from "../../test/renderApp";
import type { BoardStage, GateCheck } from "./types";

afterEach(() => {
  vi.unstubAllGlobals();
});

const FIRST_RENDER = { timeout: 10_000 };
const PIPELINE = makePipeline();
const BASE = `/api/v1/pipelines/${PIPELINE_ID}`;
const HOURS_26_AGO = new Date(Date.now() - 26 * 3600_000 - 60_000).toISOString();

const PASSED: GateCheck = {
  version: "2.5.0",
  passed: true,
  gates: [
    { name: "environments", passed: true, message: "2 environments" },
    { name: "previousStage", passed: true, message: "staging runs 2.5.0 verified" },
    { name: "soakTime", passed: true, message: "staging has run 2.5.0 healthy for 26h of 24h" },
  ],
};

const STAGING = boardStage("staging", {
  soakTime: "24h",
  environments: [boardEnvironment("staging-1", "2.5.0")],
  verifiedVersion: "2.5.0",
  verifiedSince: HOURS_26_AGO,
  soaked: true,
  next: {
    version: null,
    passed: false,
    gates: [{ name: "version", passed: false, message: "give the version to promote" }],
  },
});

function prodStage(next: GateCheck): BoardStage {
  return boardStage("prod", {
    approvalsRequired: 1,
    environments: [
      boardEnvironment("prod-eu", "2.4.1", { protected: true }),
      boardEnvironment("prod-us", "2.4.1", { health: "unhealthy", reservedBy: "vic" }),
    ],
    verifiedVersion: "2.4.1",
    verifiedSince: HOURS_26_AGO,
    next,
  });
}

function stubBoard(prodNext: GateCheck, extra: Record<string, Responder> = {}) {
  return stubApi({
    [`GET ${BASE}`]: { status: 200, body: PIPELINE },
    [`GET ${BASE}/board`]: {
      status: 200,
      body: {
        ...makeBoard(PIPELINE, [STAGING, prodStage(prodNext)]),
        versions: [{ version: "2.5.0", stages: ["staging"] }],
      },
    },
    "GET /api/v1/promotions": promotionPage([]),
    ...extra,
  });
}

describe("Pipeline board", () => {
  it("shows stages' environments, verified versions, gates, and what Promote does", async () => {
    const bodies: unknown[] = [];
    const started = makePromotion({ status: "awaiting_approval", approvalsRequired: 1 });
    stubBoard(PASSED, {
      [`POST ${BASE}/stages/prod/promotions`]: async (request) => {
        bodies.push(await request.json());
        return { status: 202, body: started };
      },
      [`GET /api/v1/promotions/${started.id}`]: { status: 200, body: started },
    });
    renderApp(`/pipelines/${PIPELINE_ID}`, { session: makeSession("user") });

    const prod = await screen.findByRole("region", { name: "prod" }, FIRST_RENDER);
    const staging = screen.getByRole("region", { name: "staging" });
    expect(within(staging).getByText(/2\.5\.0 verified 26 h/)).toBeInTheDocument();
    const environments = within(prod).getByRole("list", { name: "Environments of prod" });
    const eu = within(environments).getByRole("listitem", { name: "prod-eu" });
    expect(eu).toHaveTextContent("2.4.1");
    expect(within(eu).getByLabelText("Protected")).toBeInTheDocument();
    const us = within(environments).getByRole("listitem", { name: "prod-us" });
    expect(us).toHaveTextContent("Unhealthy");
    expect(within(us).getByLabelText("Reserved by vic")).toBeInTheDocument();
    expect(
      within(screen.getByRole("list", { name: "Verified versions" })).getByRole("listitem", {
        name: "2.5.0",
      }),
    ).toHaveTextContent("2.5.0verified onstaging");
    const gates = within(prod).getByRole("list", { name: "Gates into prod" });
    expect(within(gates).getByRole("listitem", { name: "Soak time passed" })).toHaveTextContent(
      "staging has run 2.5.0 healthy for 26h of 24h",
    );
    expect(within(prod).getByText("Gates into prod: all passed")).toBeInTheDocument();

    const promote = within(prod).getByRole("button", {
      name: "Promote 2.5.0 to prod: upgrades 2 environments, 1 at a time, needs approval",
    });
    await userEvent.click(promote);
    const dialog = await screen.findByRole("dialog", { name: "Promote 2.5.0 to prod?" });
    expect(within(dialog).getByRole("list", { name: "Upgrades" })).toHaveTextContent(
      "prod-eu: 2.4.1 → 2.5.0",
    );
    expect(dialog).toHaveTextContent("an admin other than you to approve it");
    expect(bodies).toEqual([]);
    await userEvent.click(within(dialog).getByRole("button", { name: "Promote 2.5.0" }));

    expect(await screen.findByRole("heading", { name: "2.5.0 to prod" })).toBeInTheDocument();
    expect(bodies).toEqual([{ version: "2.5.0" }]);
  }, 30_000);

  it("shows refused gates with their reasons and offers no promotion", async () => {
    stubBoard({
      version: "2.5.0",
      passed: false,
      gates: [
        { name: "previousStage", passed: true, message: "staging runs 2.5.0 verified" },
        { name: "soakTime", passed: false, message: "staging has run 2.5.0 healthy for 2h of 24h" },
      ],
    });
    renderApp(`/pipelines/${PIPELINE_ID}`, { session: makeSession("admin") });

    const prod = await screen.findByRole("region", { name: "prod" }, FIRST_RENDER);
    expect(within(prod).getByText("Gates into prod: refused")).toBeInTheDocument();
    expect(within(prod).getByRole("listitem", { name: "Soak time failed" })).toHaveTextContent(
      "staging has run 2.5.0 healthy for 2h of 24h",
    );
    expect(within(prod).getByRole("button", { name: /^Promote 2\.5\.0 to prod/ })).toBeDisabled();
  });

  it("says which gate the server refused when the board was out of date", async () => {
    stubBoard(PASSED, {
      [`POST ${BASE}/stages/prod/promotions`]: apiError(
        422,
        "GATE_NOT_MET",
        "2.5.0 cannot go to prod: idle: prod-eu runs an operation",
        {
          version: "2.5.0",
          gates: [{ name: "idle", passed: false, message: "prod-eu runs an operation" }],
        },
      ),
    });
    renderApp(`/pipelines/${PIPELINE_ID}`, { session: makeSession("admin") });

    const prod = await screen.findByRole("region", { name: "prod" }, FIRST_RENDER);
    await userEvent.click(within(prod).getByRole("button", { name: /^Promote 2\.5\.0 to prod/ }));
    const dialog = await screen.findByRole("dialog", { name: "Promote 2.5.0 to prod?" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Promote 2.5.0" }));

    const refused = await within(dialog).findByRole("list", { name: "Refused gates" });
    expect(within(refused).getByRole("listitem", { name: "Idle failed" })).toHaveTextContent(
      "prod-eu runs an operation",
    );
    expect(dialog).toHaveTextContent("2.5.0 cannot go to prod: idle: prod-eu runs an operation");
  });

  it("asks for the gates of a typed version into the first stage", async () => {
    const asked: string[] = [];
    stubBoard(PASSED, {
      [`GET ${BASE}/stages/staging/gates`]: (request) => {
        const version = new URL(request.url).searchParams.get("version") ?? "";
        asked.push(version);
        return {
          status: 200,
          body: {
            version,
            passed: false,
            gates: [
              { name: "version", passed: false, message: `staging-1 does not list ${version}` },
            ],
          },
        };
      },
    });
    renderApp(`/pipelines/${PIPELINE_ID}`, { session: makeSession("user") });

    const staging = await screen.findByRole("region", { name: "staging" }, FIRST_RENDER);
    await userEvent.type(
      within(staging).getByRole("textbox", { name: "Version to promote to staging" }),
      "9.9.9",
    );
    expect(
      await within(staging).findByRole("listitem", { name: "Version failed" }),
    ).toHaveTextContent("staging-1 does not list 9.9.9");
    expect(asked).toEqual(["9.9.9"]);
    expect(
      within(staging).getByRole("button", { name: /^Promote 9\.9\.9 to staging/ }),
    ).toBeDisabled();
  });

  it("shows viewers the board without a Promote button", async () => {
    stubBoard(PASSED);
    renderApp(`/pipelines/${PIPELINE_ID}`, { session: makeSession("viewer") });

    const prod = await screen.findByRole("region", { name: "prod" }, FIRST_RENDER);
    await waitFor(() =>
      expect(within(prod).getByText("Gates into prod: all passed")).toBeVisible(),
    );
    expect(within(prod).queryByRole("button", { name: /^Promote/ })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Edit pipeline" })).not.toBeInTheDocument();
  });
});
