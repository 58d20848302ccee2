import { Alert, Box, LinearProgress, Paper, Typography } from "@mui/material";
import type { UseQueryResult } from "@tanstack/react-query";
import { type ReactNode, useEffect } from "react";

import { errorMessage } from "../lib/serverErrors";
import ListPagination from "./ListPagination";
import type { Paging } from "./usePaging";

interface ListPanelProps<T> {
  /** The query of the page on show: its error, whether it is fetching, its total. */
  query: UseQueryResult<{ pagination: { total: number } }>;
  /** The items of that page, once it has come. */
  items: T[] | undefined;
  paging: Paging;
  /** Names the progress bar for screen readers (“Loading users”). */
  loadingLabel: string;
  /** Said when the page has no items. */
  emptyText: ReactNode;
  /** The table of the items. */
  children: (items: T[]) => ReactNode;
}

/**
 * A server-paged list in its frame: the error, a progress bar while fetching, the table, the
 * empty state and the pagination bar.
 */
export default function ListPanel<T>({
  query,
  items,
  paging,
  loadingLabel,
  emptyText,
  children,
}: ListPanelProps<T>) {
  const { page, setPage } = paging;
  const emptyPage = items?.length === 0 && page > 0;

  // Deleting the last item of the last page leaves it empty: show the page before.
  useEffect(() => {
    if (emptyPage) setPage((current) => Math.max(current - 1, 0));
  }, [emptyPage, setPage]);

  return (
    <>
      {query.isError && <Alert severity="error">{errorMessage(query.error)}</Alert>}
      <Paper variant="outlined">
        {query.isFetching ? (
          <LinearProgress aria-label={loadingLabel} />
        ) : (
          <Box sx={{ height: 4 }} />
        )}
        {query.data && items && (
          <>
            {children(items)}
            {items.length === 0 && (
              <Typography color="text.secondary" sx={{ p: 2 }}>
                {emptyText}
              </Typography>
            )}
            <ListPagination
              total={query.data.pagination.total}
              page={page}
              limit={paging.limit}
              onPageChange={setPage}
              onLimitChange={paging.setLimit}
            />
          </>
        )}
      </Paper>
    </>
  );
}
