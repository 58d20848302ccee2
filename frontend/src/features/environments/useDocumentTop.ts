import { type RefObject, useLayoutEffect, useState } from "react";

/**
 * The element's distance from the top of the document, in px: where a list scrolled with the
 * window starts (what a window virtualiser calls its scroll margin). Read again after every
 * render and whenever the page's height changes (counts, filters or an alert above it
 * appearing), so the rows drawn are the rows in view.
 */
export function useDocumentTop(ref: RefObject<HTMLElement | null>): number {
  const [top, setTop] = useState(0);
  const measure = () => {
    const element = ref.current;
    if (element) setTop(Math.round(element.getBoundingClientRect().top + window.scrollY));
  };
  // No dependencies on purpose: whatever re-rendered may have moved the list.
  useLayoutEffect(measure);
  // measure reads only the ref: one observer for the component's life.
  useLayoutEffect(() => {
    if (typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(measure);
    observer.observe(document.body);
    return () => observer.disconnect();
  }, []);
  return top;
}
