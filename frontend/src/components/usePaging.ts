import { type Dispatch, type SetStateAction, useState } from "react";

import type { PageRequest } from "../lib/pageQuery";

/** Where a server-paged list stands: `page` counts from zero, as MUI's pagination does. */
export interface Paging {
  page: number;
  limit: number;
  setPage: Dispatch<SetStateAction<number>>;
  setLimit: (limit: number) => void;
  /** The page to ask the server for (its pages count from one). */
  request: PageRequest;
}

/** The page and page size of one list, 20 rows to a page at first. */
export function usePaging(): Paging {
  const [page, setPage] = useState(0);
  const [limit, setLimit] = useState(20);
  return { page, limit, setPage, setLimit, request: { page: page + 1, limit } };
}
