import { TablePagination } from "@mui/material";

const DEFAULT_SIZES = [10, 20, 50];

interface ListPaginationProps {
  total: number;
  page: number; // zero-based, as MUI counts
  limit: number;
  onPageChange: (page: number) => void;
  onLimitChange: (limit: number) => void;
  sizes?: number[];
}

/** The pagination bar under a server-paged list; a new page size starts again at page one. */
export default function ListPagination({
  total,
  page,
  limit,
  onPageChange,
  onLimitChange,
  sizes = DEFAULT_SIZES,
}: ListPaginationProps) {
  return (
    <TablePagination
      component="div"
      count={total}
      page={page}
      rowsPerPage={limit}
      rowsPerPageOptions={sizes}
      onPageChange={(_event, next) => onPageChange(next)}
      onRowsPerPageChange={(event) => {
        onLimitChange(Number(event.target.value));
        onPageChange(0);
      }}
    />
  );
}
