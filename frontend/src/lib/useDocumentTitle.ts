import { useEffect } from "react";

/** Set the browser tab's title to "<page> · Envdeck" while the page is shown. */
export function useDocumentTitle(page: string): void {
  useEffect(() => {
    document.title = `${page} · Envdeck`;
  }, [page]);
}
