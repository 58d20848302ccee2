import { DEFAULT_STATE, dashboardSearchParams, parseDashboardState } from "./dashboardState";

const parse = (query: string) => parseDashboardState(new URLSearchParams(query));

describe("dashboard state in the URL", () => {
  it("is the default dashboard for a plain URL, and a plain URL for the default", () => {
    expect(parse("")).toEqual(DEFAULT_STATE);
    expect(dashboardSearchParams(DEFAULT_STATE).toString()).toBe("");
  });

  it("reads back everything it writes", () => {
    const state = {
      search: "shop",
      status: "unhealthy" as const,
      tag: "prod",
      freeNow: true,
      sort: "-health" as const,
      page: 2,
      limit: 96,
      groupBy: "meta:app" as const,
      columnsBy: "tag" as const,
    };
    const query = dashboardSearchParams(state).toString();
    expect(query).toBe(
      "q=shop&status=unhealthy&tag=prod&free=1&sort=-health&page=3&perPage=96&group=meta%3Aapp&columns=tag",
    );
    expect(parse(query)).toEqual(state);
  });

  it("falls back to the default for what it does not understand", () => {
    expect(parse("status=broken&sort=price&page=-2&perPage=1000&group=owner&columns=tag")).toEqual(
      DEFAULT_STATE,
    );
    expect(parse("page=abc").page).toBe(0);
    expect(parse("perPage=13").limit).toBe(24);
  });

  it("has columns only under a grouping of rows", () => {
    expect(parse("columns=meta:stage").columnsBy).toBeNull();
    expect(parse("group=tag&columns=meta:stage").columnsBy).toBe("meta:stage");
  });

  it("keeps the other parameters of the URL", () => {
    const base = new URLSearchParams("tab=health");
    const query = dashboardSearchParams({ ...DEFAULT_STATE, tag: "web" }, base).toString();
    expect(query).toBe("tab=health&tag=web");
  });
});
