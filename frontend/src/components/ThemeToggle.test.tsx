import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { renderApp, stubApi } from "../test/renderApp";
import { COLOR_MODE_KEY } from "../theme/useColorMode";

afterEach(() => {
  vi.unstubAllGlobals();
});

function backgroundOf(element: HTMLElement): string {
  return getComputedStyle(element).backgroundColor;
}

describe("ThemeToggle", () => {
  it("switches between light and dark and remembers the choice", async () => {
    stubApi({});
    const user = userEvent.setup();
    const first = renderApp("/system");
    const toggle = screen.getByRole("button", { name: "Toggle dark mode" });
    const lightBackground = backgroundOf(document.body);

    await user.click(toggle);

    expect(window.localStorage.getItem(COLOR_MODE_KEY)).toBe("dark");
    const darkBackground = backgroundOf(document.body);
    expect(darkBackground).not.toBe(lightBackground);

    // A new visit starts in the remembered mode.
    first.unmount();
    renderApp("/system");
    expect(backgroundOf(document.body)).toBe(darkBackground);

    await user.click(screen.getByRole("button", { name: "Toggle dark mode" }));
    expect(window.localStorage.getItem(COLOR_MODE_KEY)).toBe("light");
  });
});
