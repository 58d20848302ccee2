import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { renderApp, stubApi } from "../test/renderApp";
import { COLOR_MODE_KEY } from "../theme/useColorMode";

afterEach(() => {
  vi.unstubAllGlobals();
});

function pageBackground(): string {
  return getComputedStyle(document.body).backgroundColor;
}

/** Pretend the operating system prefers dark (or light) colours. */
function preferDark(dark: boolean) {
  vi.stubGlobal(
    "matchMedia",
    vi.fn((query: string) => ({
      matches: dark && query === "(prefers-color-scheme: dark)",
      media: query,
      addEventListener: vi.fn(),
      removeEventListener: vi.fn(),
    })),
  );
}

describe("ThemeToggle", () => {
  it("switches between light and dark and remembers the choice", async () => {
    stubApi({});
    preferDark(false);
    const user = userEvent.setup();
    const first = renderApp("/login");
    const lightBackground = pageBackground();

    await user.click(await screen.findByRole("button", { name: "Toggle dark mode" }));

    expect(window.localStorage.getItem(COLOR_MODE_KEY)).toBe("dark");
    const darkBackground = pageBackground();
    expect(darkBackground).not.toBe(lightBackground);

    // A new visit starts in the remembered mode.
    first.unmount();
    renderApp("/login");
    expect(pageBackground()).toBe(darkBackground);

    await user.click(await screen.findByRole("button", { name: "Toggle dark mode" }));
    expect(window.localStorage.getItem(COLOR_MODE_KEY)).toBe("light");
    expect(pageBackground()).toBe(lightBackground);
  });

  it("starts in the operating system's preference until the user chooses", async () => {
    stubApi({});
    preferDark(false);
    const light = renderApp("/login");
    const lightBackground = pageBackground();
    light.unmount();

    preferDark(true);
    const user = userEvent.setup();
    renderApp("/login");
    expect(pageBackground()).not.toBe(lightBackground);
    expect(window.localStorage.getItem(COLOR_MODE_KEY)).toBeNull();

    await user.click(await screen.findByRole("button", { name: "Toggle dark mode" }));
    expect(pageBackground()).toBe(lightBackground);
    expect(window.localStorage.getItem(COLOR_MODE_KEY)).toBe("light");
  });
});
