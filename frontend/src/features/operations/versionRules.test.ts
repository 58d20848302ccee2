import { behindBy, versionProblem } from "./versionRules";

describe("Version rules", () => {
  it.each(["2.5.0", "1.10", "v2", "2.0.0-rc.1", "1.0+build.5", "1~beta", "a".repeat(128)])(
    "accepts %s",
    (version) => expect(versionProblem(version)).toBeNull(),
  );

  it.each([
    "",
    "2.5.0; rm -rf /",
    "$(id)",
    "`id`",
    "-rf",
    ".hidden",
    "2.5.0\nid",
    "1.0 beta",
    "2.5.0&&id",
    "ѵ1.0",
    "a".repeat(129),
  ])("refuses %j", (version) => expect(versionProblem(version)).not.toBeNull());

  it("counts how many listed versions are newer than the running one", () => {
    const listed = ["2.5.0", "2.4.1", "2.4.0"];
    expect(behindBy("2.4.0", listed)).toBe(2);
    expect(behindBy("2.5.0", listed)).toBe(0);
    expect(behindBy("9.9.9", listed)).toBeNull();
    expect(behindBy(null, listed)).toBeNull();
  });
});
