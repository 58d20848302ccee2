import { describe, expect, it } from "vitest";

import { apiFilters, NO_FILTERS } from "./filters";

describe("apiFilters", () => {
  it("sends a search only once it is long enough for the server's index", () => {
    expect(apiFilters({ ...NO_FILTERS, q: " ab " }).q).toBeUndefined();
    expect(apiFilters({ ...NO_FILTERS, q: " abc " }).q).toBe("abc");
  });
});
