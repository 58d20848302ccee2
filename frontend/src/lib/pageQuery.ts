import { keepPreviousData, queryOptions } from "@tanstack/react-query";

/** The page of a server-paged list to ask for. */
export interface PageRequest {
  /** 1-based, as the API counts. */
  page: number;
  limit: number;
}

/**
 * The query of one page of a server-paged list, keyed by all it asks for: the page on screen
 * stays while the next one (or a new search) loads.
 */
export function pageQuery<const TQueryKey extends readonly unknown[], TData>(
  queryKey: TQueryKey,
  queryFn: () => Promise<TData>,
) {
  return queryOptions({ queryKey, queryFn, placeholderData: keepPreviousData });
}
