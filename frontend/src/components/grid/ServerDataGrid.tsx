import type { ReactNode } from "react";
import { Box } from "@mui/material";
import { DataGrid, type DataGridProps, type GridValidRowModel } from "@mui/x-data-grid";
import { ErrorState, type Unavailable } from "../ErrorState";
import { PAGE_SIZES } from "./useCursorQuery";

type Props<R extends GridValidRowModel> = DataGridProps<R> & {
  error?: unknown;
  onRetry?: () => void;
  unavailable?: Unavailable;
  empty?: ReactNode;
};

/** DataGrid set up for server-side pagination/sort/filter, with empty and error states. */
export function ServerDataGrid<R extends GridValidRowModel>({
  error,
  onRetry,
  unavailable,
  empty,
  rows,
  slots,
  sx,
  ...props
}: Props<R>) {
  if (error && (!rows || rows.length === 0)) {
    return (
      <Box
        sx={{ border: 1, borderColor: "divider", borderRadius: 3, bgcolor: "background.paper", p: unavailable ? 0 : 2 }}
      >
        <ErrorState error={error} onRetry={onRetry} unavailable={unavailable} />
      </Box>
    );
  }
  return (
    <DataGrid<R>
      rows={rows}
      autoHeight
      paginationMode="server"
      sortingMode="server"
      filterMode="server"
      pageSizeOptions={PAGE_SIZES}
      disableColumnFilter
      slots={{ noRowsOverlay: () => <>{empty}</>, ...slots }}
      sx={{ "--DataGrid-overlayHeight": "320px", ...sx }}
      {...props}
    />
  );
}
