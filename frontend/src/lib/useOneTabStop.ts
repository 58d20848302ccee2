import { type KeyboardEvent, type RefCallback, useCallback } from "react";

const FOCUSABLE = [
  "a[href]",
  "button:not([disabled])",
  "input:not([disabled])",
  "select:not([disabled])",
  "textarea:not([disabled])",
  '[tabindex]:not([tabindex="-1"])',
  // Those taken out of the tab order here: still the card's controls.
  "[data-roving]",
].join(", ");
/** Keys that stay with the control that has the focus (a text field's caret, a select). */
const OWN_KEYS = [
  "input:not([type='checkbox']):not([type='radio'])",
  "textarea",
  "select",
  "[role='combobox']",
  "[role='slider']",
].join(", ");
/** The element to keep in the tab order; else the container's first focusable one. */
const TAB_STOP = "data-tab-stop";

function controls(container: HTMLElement): HTMLElement[] {
  return [...container.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
    (element) => !element.closest("[aria-hidden='true'], [inert]"),
  );
}

/** Take every control but the tab stop out of the tab order (they stay focusable by script). */
function demote(container: HTMLElement): void {
  const all = controls(container);
  const stop = all.find((element) => element.hasAttribute(TAB_STOP)) ?? all[0];
  for (const element of all) {
    if (element === stop) continue;
    element.setAttribute("data-roving", "");
    if (element.getAttribute("tabindex") !== "-1") element.setAttribute("tabindex", "-1");
  }
}

const MOVES: Record<string, (at: number, count: number) => number> = {
  ArrowRight: (at, count) => Math.min(at + 1, count - 1),
  ArrowDown: (at, count) => Math.min(at + 1, count - 1),
  ArrowLeft: (at) => Math.max(at - 1, 0),
  ArrowUp: (at) => Math.max(at - 1, 0),
  Home: () => 0,
  End: (_at, count) => count - 1,
};

/**
 * Make a container (a dashboard card) one tab stop: its tab stop (the element marked
 * `data-tab-stop`, else its first control) stays in the tab order, and the arrow keys, Home and
 * End move between all its controls once the focus is inside. Tab then goes on to the next
 * container instead of through every button of this one. Controls that appear later (a button
 * enabled, a chip added) are taken out of the tab order as they come.
 */
export function useOneTabStop<T extends HTMLElement>() {
  const ref: RefCallback<T> = useCallback((container) => {
    if (!container) return undefined;
    demote(container);
    const observer = new MutationObserver(() => demote(container));
    observer.observe(container, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ["tabindex", "disabled", "href"],
    });
    return () => observer.disconnect();
  }, []);

  const onKeyDown = useCallback((event: KeyboardEvent<T>) => {
    const move = MOVES[event.key];
    const target = event.target as HTMLElement;
    // A portal's events (an open menu) bubble here through React, not through the DOM.
    if (!move || event.defaultPrevented || !event.currentTarget.contains(target)) return;
    if (target.matches(OWN_KEYS) || event.altKey || event.ctrlKey || event.metaKey) return;
    const all = controls(event.currentTarget);
    const at = all.findIndex((element) => element === target || element.contains(target));
    const next = all[move(at, all.length)];
    if (at < 0 || !next) return;
    event.preventDefault();
    next.focus();
  }, []);

  return { ref, onKeyDown };
}
