import { render, screen, within } from "@testing-library/react";
import { MemoryRouter } from "react-router";

import { makeEnvironment } from "../../test/fixtures";
import EnvironmentCard from "./EnvironmentCard";
import type { Environment } from "./queries";
import type { EnvironmentSlots } from "./slots";

// Other domains' pieces of a card (operations, reservations, health…) draw nothing here.
const slots = new Proxy({}, { get: () => () => null }) as Omit<EnvironmentSlots, "useSparklines">;

function renderCard(environment: Environment) {
  const card = (env: Environment) => (
    <MemoryRouter>
      <EnvironmentCard environment={env} canManage={false} onDelete={() => {}} slots={slots} />
    </MemoryRouter>
  );
  const view = render(card(environment));
  return {
    card: () => screen.getByRole("article", { name: environment.name }),
    update: (env: Environment) => view.rerender(card(env)),
  };
}

const STARTED = "2025-03-01T09:30:00Z";

describe("Environment card while an operation runs", () => {
  it("says the environment is upgrading, not that it is unhealthy", () => {
    const before = makeEnvironment("shop-prod", {
      status: { health: "healthy", lastCheck: STARTED, message: "", consecutiveFailures: 0 },
    });
    const { card, update } = renderCard(before);
    expect(within(card()).getByText("Healthy")).toBeInTheDocument();

    update({
      ...before,
      // Even if a check from before the operation had turned it unhealthy.
      status: { health: "unhealthy", lastCheck: STARTED, message: "HTTP 503", consecutiveFailures: 1 },
      activeOperation: { id: "op-1", type: "upgrade", startedAt: STARTED, version: "2.5.0" },
    });
    expect(within(card()).getByText("Upgrading to 2.5.0…")).toBeInTheDocument();
    expect(within(card()).queryByText("Unhealthy")).not.toBeInTheDocument();

    update({ ...before, activeOperation: null });
    expect(within(card()).getByText("Healthy")).toBeInTheDocument();
    expect(within(card()).queryByText(/Upgrading/)).not.toBeInTheDocument();
  });

  it("says a restart and a rollback as such", () => {
    const env = makeEnvironment("billing-qa");
    const { card, update } = renderCard({
      ...env,
      activeOperation: { id: "op-2", type: "restart", startedAt: STARTED, version: null },
    });
    expect(within(card()).getByText("Restarting…")).toBeInTheDocument();

    update({
      ...env,
      activeOperation: { id: "op-3", type: "rollback", startedAt: STARTED, version: "2.4.0" },
    });
    expect(within(card()).getByText("Rolling back to 2.4.0…")).toBeInTheDocument();
    expect(within(card()).queryByText("Healthy")).not.toBeInTheDocument();
  });
});
