import { useState } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { GridPaginationModel } from "@mui/x-data-grid";
import type { Page } from "../../api/types";

export const PAGE_SIZES = [25, 50, 100];

/**
 * Cursor pagination for a server-side DataGrid: page N is fetched with the `next_cursor` of page
 * N-1, so the grid can step forward and back; any change of `filters` starts again at page 0.
 */
export function useCursorQuery<T>({
  queryKey,
  filters,
  fetchPage,
  pageSize: initialPageSize = PAGE_SIZES[0],
  enabled = true,
}: {
  queryKey: readonly unknown[];
  filters: Record<string, unknown>;
  fetchPage: (args: { cursor: string | null; limit: number }) => Promise<Page<T>>;
  pageSize?: number;
  enabled?: boolean;
}) {
  const filterKey = JSON.stringify(filters);
  const [paginationModel, setPaginationModel] = useState<GridPaginationModel>({ page: 0, pageSize: initialPageSize });
  const [cursors, setCursors] = useState<Record<string, (string | null)[]>>({});
  const [seenFilterKey, setSeenFilterKey] = useState(filterKey);
  if (seenFilterKey !== filterKey) {
    // filters changed: back to the first page (state reset during render, as React recommends)
    setSeenFilterKey(filterKey);
    setPaginationModel((m) => ({ page: 0, pageSize: m.pageSize }));
  }
  const chainKey = `${filterKey}|${paginationModel.pageSize}`;
  const chain = cursors[chainKey] ?? [null];
  const page = seenFilterKey === filterKey ? paginationModel.page : 0;
  const cursor = chain[page] ?? null;

  const query = useQuery({
    queryKey: [...queryKey, filters, paginationModel.pageSize, page, cursor],
    queryFn: async () => {
      const result = await fetchPage({ cursor, limit: paginationModel.pageSize });
      setCursors((all) => {
        const next = [...(all[chainKey] ?? [null])];
        next[page + 1] = result.next_cursor ?? null;
        return { ...all, [chainKey]: next };
      });
      return result;
    },
    placeholderData: keepPreviousData,
    enabled,
  });

  const onPaginationModelChange = (next: GridPaginationModel) => {
    if (next.pageSize !== paginationModel.pageSize) return setPaginationModel({ page: 0, pageSize: next.pageSize });
    // only pages reachable through a known cursor (the grid's next/previous buttons)
    if (next.page === 0 || chain[next.page]) setPaginationModel(next);
  };

  const data = query.data;
  const hasNextPage = !!data?.next_cursor;
  const rowCount =
    typeof data?.total === "number" ? data.total : hasNextPage ? -1 : page * paginationModel.pageSize + (data?.items.length ?? 0);

  return {
    query,
    rows: data?.items ?? [],
    total: data?.total ?? null,
    rowCount,
    paginationMeta: { hasNextPage },
    paginationModel: { page, pageSize: paginationModel.pageSize },
    onPaginationModelChange,
  };
}
