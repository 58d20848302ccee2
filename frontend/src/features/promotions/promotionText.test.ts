import { formatSoak, promotionEffect, verifiedText } from "./promotionText";
import { boardEnvironment, boardStage, makeStage } from "../../test/promotions";

describe("promotion text", () => {
  it("says how long a version has been verified, in hours for the first three days", () => {
    const now = Date.parse("2025-03-02T12:00:00Z");
    expect(verifiedText("2.5.0", "2025-03-01T10:00:00Z", now)).toBe("2.5.0 verified 26 h");
    expect(verifiedText("2.5.0", "2025-03-02T11:30:00Z", now)).toBe("2.5.0 verified 30 m");
    expect(formatSoak(5 * 86_400_000)).toBe("5 d");
    expect(verifiedText(null, null, now)).toBe("No verified version");
  });

  it("says what a promotion upgrades, how many at once, and whether it waits for approval", () => {
    const two = boardStage("prod", {
      environments: [boardEnvironment("a", "2.4.1"), boardEnvironment("b", "2.4.1")],
    });
    expect(promotionEffect(two, makeStage("prod", { maxParallel: 1 }), "2.5.0")).toBe(
      "upgrades 2 environments, 1 at a time",
    );
    expect(promotionEffect(two, makeStage("prod", { maxParallel: 5 }), "2.5.0")).toBe(
      "upgrades 2 environments, all at once",
    );
    const approved = { ...two, approvalsRequired: 1 };
    expect(promotionEffect(approved, makeStage("prod"), "2.4.1")).toBe(
      "every environment already runs it, needs approval",
    );
  });
});
