import { makeEnvironment } from "../../test/fixtures";
import { buildSwimlanes, compareGroupValues, metadataKeys, NO_VALUE } from "./grouping";

const env = (name: string, metadata: Record<string, unknown>, tags: string[] = []) =>
  makeEnvironment(name, { metadata, tags });

const SHOP_PROD = env("shop-prod", { app: "shop", stage: "prod" }, ["demo", "prod"]);
const SHOP_DEV = env("shop-dev", { app: "shop", stage: "dev" }, ["demo", "dev"]);
const BILLING_QA = env("billing-qa", { app: "billing", stage: "qa" }, ["demo"]);
const LOOSE = env("loose", { owner: "ops" });

describe("swimlanes", () => {
  it("puts each application in a row and each stage in a column, in release order", () => {
    const lanes = buildSwimlanes([SHOP_PROD, SHOP_DEV, BILLING_QA, LOOSE], "meta:app", "meta:stage");
    expect(lanes.rows).toEqual(["billing", "shop", NO_VALUE]);
    expect(lanes.columns).toEqual(["dev", "qa", "prod", NO_VALUE]);
    expect(lanes.cells.get("shop")?.get("prod")?.map((e) => e.name)).toEqual(["shop-prod"]);
    expect(lanes.cells.get("shop")?.get("qa")).toBeUndefined();
    expect(lanes.cells.get(NO_VALUE)?.get(NO_VALUE)?.map((e) => e.name)).toEqual(["loose"]);
    expect(lanes.rowMembers.get("shop")?.map((e) => e.name)).toEqual(["shop-prod", "shop-dev"]);
    expect(lanes.columnMembers.get("dev")?.map((e) => e.name)).toEqual(["shop-dev"]);
  });

  it("puts an environment under each of its tags", () => {
    const lanes = buildSwimlanes([SHOP_PROD, SHOP_DEV, LOOSE], "tag", null);
    expect(lanes.rows).toEqual(["dev", "prod", "demo", NO_VALUE]);
    expect(lanes.rowMembers.get("demo")).toHaveLength(2);
    expect(lanes.columns).toHaveLength(1);
  });

  it("orders known stages as a release goes, then the rest alphabetically", () => {
    const values = ["prod", "zeta", NO_VALUE, "Staging", "alpha", "dev", "qa"];
    expect(values.sort(compareGroupValues)).toEqual([
      "dev",
      "qa",
      "Staging",
      "prod",
      "alpha",
      "zeta",
      NO_VALUE,
    ]);
  });

  it("offers the metadata keys with plain values, not masked secrets or objects", () => {
    const odd = env("odd", { token: "********", nested: { a: 1 }, replicas: 3, public: true });
    expect(metadataKeys([SHOP_PROD, LOOSE, odd])).toEqual([
      "app",
      "owner",
      "public",
      "replicas",
      "stage",
    ]);
  });
});
