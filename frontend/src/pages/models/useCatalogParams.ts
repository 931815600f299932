import { useCallback, useMemo } from "react";
import { useSearchParams } from "react-router";
import { FACET_FIELDS, FRAMEWORKS, TASK_TYPES, type FacetParam, type ModelFilters } from "../../api/registry";

export const SORTABLE = ["name", "created_at", "updated_at"] as const;

/** Catalog search, facet filters and sort live in the URL: shareable, and Back works. */
export function useCatalogParams() {
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const sort = params.get("sort") ?? "name";
  const selected = useMemo(
    () => Object.fromEntries(FACET_FIELDS.map(({ param }) => [param, params.getAll(param)])) as Record<FacetParam, string[]>,
    [params],
  );

  const update = useCallback(
    (change: (next: URLSearchParams) => void) =>
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          change(next);
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );

  const setQ = useCallback((value: string) => update((p) => (value ? p.set("q", value) : p.delete("q"))), [update]);
  const setSort = useCallback(
    (value: string) => update((p) => (value && value !== "name" ? p.set("sort", value) : p.delete("sort"))),
    [update],
  );
  const toggle = useCallback(
    (param: FacetParam, value: string) =>
      update((p) => {
        const values = p.getAll(param);
        p.delete(param);
        const next = values.includes(value) ? values.filter((v) => v !== value) : [...values, value];
        next.forEach((v) => p.append(param, v));
      }),
    [update],
  );
  const clear = useCallback(
    () =>
      update((p) => {
        p.delete("q");
        FACET_FIELDS.forEach(({ param }) => p.delete(param));
      }),
    [update],
  );

  const filters = useMemo<ModelFilters>(
    () => ({
      ...selected,
      q: q || undefined,
      // a hand-edited URL with an unknown value is ignored rather than answered with a 422
      framework: FRAMEWORKS.filter((f) => selected.framework.includes(f)),
      task_type: TASK_TYPES.filter((t) => selected.task_type.includes(t)),
    }),
    [q, selected],
  );
  const active = !!q || Object.values(selected).some((v) => v.length > 0);
  return { q, sort, selected, filters, active, setQ, setSort, toggle, clear };
}
