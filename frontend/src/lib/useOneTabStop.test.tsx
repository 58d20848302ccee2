import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";

import { useOneTabStop } from "./useOneTabStop";

function Card({ name }: { name: string }) {
  const tabStop = useOneTabStop<HTMLElement>();
  const [more, setMore] = useState(false);
  return (
    <article aria-label={name} ref={tabStop.ref} onKeyDown={tabStop.onKeyDown}>
      <button type="button">Select {name}</button>
      <a href={`/environments/${name}`} data-tab-stop>
        {name}
      </a>
      <button type="button" onClick={() => setMore(true)}>
        Restart {name}
      </button>
      {more && <button type="button">Upgrade {name}</button>}
    </article>
  );
}

describe("useOneTabStop", () => {
  it("makes each card one tab stop, its name, and moves inside it with the arrow keys", async () => {
    const user = userEvent.setup();
    render(
      <>
        <Card name="alpha" />
        <Card name="beta" />
      </>,
    );
    const alpha = screen.getByRole("article", { name: "alpha" });

    await user.tab();
    expect(screen.getByRole("link", { name: "alpha" })).toHaveFocus();
    await user.tab();
    expect(screen.getByRole("link", { name: "beta" })).toHaveFocus();
    await user.tab({ shift: true });
    expect(screen.getByRole("link", { name: "alpha" })).toHaveFocus();

    await user.keyboard("{ArrowRight}");
    expect(within(alpha).getByRole("button", { name: "Restart alpha" })).toHaveFocus();
    await user.keyboard("{Home}");
    expect(within(alpha).getByRole("button", { name: "Select alpha" })).toHaveFocus();
    await user.keyboard("{End}");
    expect(within(alpha).getByRole("button", { name: "Restart alpha" })).toHaveFocus();
    // From inside a card, Tab goes on to the next card.
    await user.tab();
    expect(screen.getByRole("link", { name: "beta" })).toHaveFocus();
  });

  it("takes a control that appears later out of the tab order too", async () => {
    const user = userEvent.setup();
    render(<Card name="alpha" />);
    await user.click(screen.getByRole("button", { name: "Restart alpha" }));
    const upgrade = await screen.findByRole("button", { name: "Upgrade alpha" });
    await vi.waitFor(() => expect(upgrade).toHaveAttribute("tabindex", "-1"));
    expect(screen.getByRole("link", { name: "alpha" })).not.toHaveAttribute("tabindex");
  });
});
