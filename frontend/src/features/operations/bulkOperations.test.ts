import { ApiError } from "../../api/client";
import { type BulkOutcome, planUpgrade, startEach } from "./bulkOperations";

const LIST = { currentVersion: "2.4.0", availableVersions: ["2.5.0", "2.4.1", "2.4.0"] };

describe("bulk upgrade plan", () => {
  it("takes the newest listed version, unless it already runs", () => {
    expect(planUpgrade(LIST, { kind: "newest" })).toEqual({ version: "2.5.0" });
    expect(planUpgrade({ ...LIST, currentVersion: "2.5.0" }, { kind: "newest" })).toEqual({
      skip: "Already runs 2.5.0",
    });
  });

  it("takes one chosen version only where it is listed", () => {
    expect(planUpgrade(LIST, { kind: "version", version: "2.4.1" })).toEqual({
      version: "2.4.1",
    });
    expect(planUpgrade(LIST, { kind: "version", version: "9.0" })).toEqual({
      skip: "9.0 is not in its version list",
    });
  });

  it("skips an environment whose list is empty", () => {
    expect(planUpgrade({ currentVersion: null, availableVersions: [] }, { kind: "newest" })).toEqual(
      { skip: "Its version list is empty" },
    );
  });
});

describe("starting each operation", () => {
  it("reports each start or the server's reason for refusing it, a few at a time", async () => {
    let inFlight = 0;
    let most = 0;
    const outcomes: Record<string, BulkOutcome> = {};
    const items = ["a", "b", "c", "d", "e", "f"].map((id) => ({ id }));
    await startEach(
      items,
      async ({ id }) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 1));
        inFlight -= 1;
        if (id === "c") {
          throw new ApiError(409, {
            error: { code: "CONFLICT", message: "an operation is already running", details: {} },
          });
        }
        return { operationId: `op-${id}` };
      },
      (id, outcome) => (outcomes[id] = outcome),
      2,
    );
    expect(most).toBe(2);
    expect(outcomes.a).toEqual({ state: "started", operationId: "op-a" });
    expect(outcomes.c).toEqual({ state: "refused", reason: "An operation is already running" });
    expect(Object.keys(outcomes)).toHaveLength(6);
  });
});
