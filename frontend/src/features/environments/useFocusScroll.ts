import { useMemo, useRef } from "react";

/** What a virtual list asks of its virtualiser here. */
interface ScrollsToIndex {
  scrollToIndex: (index: number, options: { align: "auto" }) => void;
}

export interface FocusScroll {
  onFocus: (event: { currentTarget: HTMLElement }) => void;
  onPointerDown: () => void;
}

/** A pointer press this recent gave the focus: the element is under the pointer, in view. */
const POINTER_FOCUS_MS = 1000;

/**
 * Handlers for a virtual list's rows (each with `data-index`): focus that moves into a row
 * by keyboard (Tab, a screen reader) brings the row into view, so the rows after it are drawn
 * and the next Tab reaches them. Focus from a click does not scroll: moving the row between
 * the press and the release would lose the click.
 */
export function useFocusScroll(virtualizer: ScrollsToIndex): FocusScroll {
  const pressed = useRef(Number.NEGATIVE_INFINITY);
  return useMemo(
    () => ({
      onPointerDown: () => {
        pressed.current = performance.now();
      },
      onFocus: (event) => {
        if (performance.now() - pressed.current < POINTER_FOCUS_MS) return;
        const index = Number(event.currentTarget.dataset.index);
        if (!Number.isNaN(index)) virtualizer.scrollToIndex(index, { align: "auto" });
      },
    }),
    [virtualizer],
  );
}
