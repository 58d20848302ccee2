import { QueryClient } from "@tanstack/react-query";

import { environmentList, makeEnvironment } from "../../test/fixtures";
import { applyStatusUpdate } from "./liveUpdates";
import { environmentQueries, type EnvironmentListParams } from "./queries";

const ALPHA = makeEnvironment("alpha");
const BY_LAST_CHECK: EnvironmentListParams = {
  page: 1,
  limit: 24,
  q: "",
  tag: null,
  status: null,
  sort: "-lastCheck",
};
const BY_NAME: EnvironmentListParams = { ...BY_LAST_CHECK, sort: "name" };

function cached() {
  const queryClient = new QueryClient();
  queryClient.setQueryData(
    environmentQueries.list(BY_LAST_CHECK).queryKey,
    environmentList([ALPHA]).body,
  );
  return queryClient;
}

describe("applyStatusUpdate", () => {
  it("patches a refreshed status in place without refetching any page", () => {
    const queryClient = cached();
    const status = { ...ALPHA.status!, responseTime: 91, lastCheck: "2025-03-01T09:31:00Z" };
    const refetch = applyStatusUpdate(queryClient, {
      environmentId: ALPHA.id,
      status,
      previous: "healthy",
      transition: false,
    });
    const list = queryClient.getQueryData(environmentQueries.list(BY_LAST_CHECK).queryKey);
    expect(list?.environments[0]?.status).toEqual(status);
    expect(refetch.lists(BY_LAST_CHECK)).toBe(false);
    expect(refetch.summary).toBe(false);
  });

  it("refetches the pages filtered or sorted by health after a transition", () => {
    const queryClient = cached();
    const refetch = applyStatusUpdate(queryClient, {
      environmentId: ALPHA.id,
      status: { ...ALPHA.status!, health: "unhealthy" },
      previous: "healthy",
      transition: true,
    });
    expect(refetch.lists(BY_LAST_CHECK)).toBe(true);
    expect(refetch.lists(BY_NAME)).toBe(false);
    expect(refetch.lists({ ...BY_NAME, status: "healthy" })).toBe(true);
  });
});
