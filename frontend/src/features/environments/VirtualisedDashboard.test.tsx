import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router";

import { makeEnvironment } from "../../test/fixtures";
import EnvironmentsTable from "./EnvironmentsTable";
import type { EnvironmentSlots } from "./slots";
import VirtualCardGrid from "./VirtualCardGrid";

// jsdom lays nothing out: give the page a browser's geometry. The window is 768 px tall; a
// card row is 300 px, a table row 50 px; the grid is 960 px wide (three 300 px columns).
const ROW_PX = { card: 300, table: 50 };
const GRID_WIDTH_PX = 960;
const VIEWPORT_PX = 768;

// Other domains' pieces of a card (operations, reservations, health…) draw nothing here.
const slots = new Proxy({}, { get: () => () => null }) as Omit<EnvironmentSlots, "useSparklines">;

const environments = Array.from({ length: 60 }, (_, i) =>
  makeEnvironment(`app-${String(i).padStart(2, "0")}`),
);

function scrollWindowTo(top: number) {
  act(() => {
    Object.defineProperty(window, "scrollY", { value: top, configurable: true });
    window.dispatchEvent(new Event("scroll"));
  });
}

let restore: (() => void)[] = [];

beforeEach(() => {
  const offsetHeight = Object.getOwnPropertyDescriptor(HTMLElement.prototype, "offsetHeight");
  const clientWidth = Object.getOwnPropertyDescriptor(Element.prototype, "clientWidth");
  Object.defineProperty(HTMLElement.prototype, "offsetHeight", {
    configurable: true,
    get(this: HTMLElement) {
      if (this.dataset.index === undefined) return 0;
      return this.tagName === "TR" ? ROW_PX.table : ROW_PX.card;
    },
  });
  Object.defineProperty(Element.prototype, "clientWidth", {
    configurable: true,
    get(this: Element) {
      return this.getAttribute("role") === "list" ? GRID_WIDTH_PX : 0;
    },
  });
  // The lists start at the top of the page: in view, their top moves up as the page scrolls.
  const rect = vi
    .spyOn(Element.prototype, "getBoundingClientRect")
    .mockImplementation(() => DOMRect.fromRect({ x: 0, y: -window.scrollY, width: 0, height: 0 }));
  Object.defineProperty(window, "innerHeight", { value: VIEWPORT_PX, configurable: true });
  // As tall as the page of 60 (how far the window can scroll).
  Object.defineProperty(document.documentElement, "scrollHeight", {
    value: 30_000,
    configurable: true,
  });
  Object.defineProperty(window, "scrollY", { value: 0, configurable: true });
  // What a browser does when the list asks to bring a focused row into view.
  const scrollTo = vi
    .spyOn(window, "scrollTo")
    .mockImplementation((options?: ScrollToOptions | number) => {
      if (typeof options === "object" && typeof options.top === "number") {
        scrollWindowTo(options.top);
      }
    });
  restore = [
    () => Object.defineProperty(HTMLElement.prototype, "offsetHeight", offsetHeight!),
    () => Object.defineProperty(Element.prototype, "clientWidth", clientWidth!),
    () => scrollTo.mockRestore(),
    () => rect.mockRestore(),
    () => Reflect.deleteProperty(document.documentElement, "scrollHeight"),
  ];
});

afterEach(() => {
  restore.forEach((undo) => undo());
});

/** The grid, once its first cards are drawn (each comes a moment after its outline). */
async function renderGrid() {
  render(
    <MemoryRouter>
      <VirtualCardGrid
        environments={environments}
        canManage={false}
        onDelete={() => {}}
        sparklines={undefined}
        slots={slots}
      />
    </MemoryRouter>,
  );
  await screen.findByRole("article", { name: "app-00" });
}

function renderTable() {
  return render(
    <MemoryRouter>
      <EnvironmentsTable
        environments={environments}
        canManage={false}
        onDelete={() => {}}
        slots={slots}
      />
    </MemoryRouter>,
  );
}

const cardNames = () => screen.queryAllByRole("article").map((card) => card.getAttribute("aria-label"));

describe("The dashboard's card grid at 60 environments", () => {
  it("draws only the cards in view and a row or two around them", async () => {
    await renderGrid();
    const shown = cardNames();
    expect(shown).toContain("app-00");
    expect(shown).toContain("app-08");
    // Three rows fill the window, two more are drawn ahead: 15 cards, not 60.
    expect(shown.length).toBeLessThanOrEqual(15);
    expect(shown).not.toContain("app-30");
    expect(shown).not.toContain("app-59");
  });

  it("lays the cards out three to a row, as wide as the grid allows", async () => {
    await renderGrid();
    const firstRow = screen.getByRole("article", { name: "app-00" }).closest("[data-index]");
    const cards = within(firstRow as HTMLElement).getAllByRole("article");
    expect(cards.map((card) => card.getAttribute("aria-label"))).toEqual([
      "app-00",
      "app-01",
      "app-02",
    ]);
  });

  it("shows the cards further down once scrolled there, and lets go of those above", async () => {
    await renderGrid();
    // Row 15 starts at 15 × (300 + 16) px.
    scrollWindowTo(15 * 316);
    await screen.findByRole("article", { name: "app-59" });
    const shown = cardNames();
    expect(shown).toContain("app-45");
    expect(shown).toContain("app-59");
    expect(shown).not.toContain("app-00");
    expect(screen.getByRole("link", { name: "app-50" })).toHaveAttribute(
      "href",
      `/environments/${environments[50]!.id}`,
    );
  });

  it("lets the keyboard reach every card, past the ones drawn at first", async () => {
    const user = userEvent.setup();
    await renderGrid();
    expect(cardNames()).not.toContain("app-20");
    screen.getByRole("link", { name: "app-00" }).focus();
    const visited = new Set<string>();
    for (let i = 0; i < 80 && !visited.has("app-20"); i += 1) {
      await user.tab();
      // A person's next key press comes a moment later: the cards brought into view are drawn.
      await act(() => new Promise((resolve) => setTimeout(resolve, 50)));
      const card = document.activeElement?.closest("article")?.getAttribute("aria-label");
      if (card) visited.add(card);
    }
    // Card after card down the page, none skipped.
    expect([...visited]).toEqual(
      Array.from({ length: 20 }, (_, i) => `app-${String(i + 1).padStart(2, "0")}`),
    );
  });
});

describe("The dashboard's table at 60 environments", () => {
  it("draws only the rows in view and a few around them", () => {
    renderTable();
    const rows = screen.getAllByRole("row");
    // The header, up to 16 rows in view, 6 ahead, and a spacer for the rest.
    expect(rows.length).toBeLessThan(30);
    expect(screen.getByRole("link", { name: "app-00" })).toBeInTheDocument();
    expect(screen.queryByRole("link", { name: "app-59" })).not.toBeInTheDocument();
  });

  it("shows the rows further down once scrolled there", () => {
    renderTable();
    scrollWindowTo(45 * ROW_PX.table);
    expect(screen.getByRole("link", { name: "app-59" })).toBeInTheDocument();
    expect(screen.queryByRole("link", { name: "app-00" })).not.toBeInTheDocument();
  });

  it("lets the keyboard reach rows past the ones drawn at first", async () => {
    const user = userEvent.setup();
    renderTable();
    expect(screen.queryByRole("link", { name: "app-35" })).not.toBeInTheDocument();
    screen.getByRole("link", { name: "app-00" }).focus();
    for (let i = 0; i < 70; i += 1) await user.tab();
    expect(document.activeElement).toBe(screen.getByRole("link", { name: "app-35" }));
  });
});
