import { type RefObject, useLayoutEffect, useState } from "react";

/**
 * How many columns of at least `minWidth` px, `gap` px apart, fit the element's width (as CSS
 * grid's `repeat(auto-fill, minmax(minWidth, 1fr))` would lay them out); 1 before it is laid
 * out. Follows the element's width as the window or the layout around it changes.
 */
export function useColumnCount(
  ref: RefObject<HTMLElement | null>,
  minWidth: number,
  gap: number,
): number {
  const [columns, setColumns] = useState(1);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => {
      const width = element.clientWidth;
      setColumns(Math.max(1, Math.floor((width + gap) / (minWidth + gap))));
    };
    measure();
    if (typeof ResizeObserver === "undefined") {
      window.addEventListener("resize", measure);
      return () => window.removeEventListener("resize", measure);
    }
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref, minWidth, gap]);
  return columns;
}
