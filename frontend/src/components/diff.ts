export type Doc = Record<string, unknown> | null | undefined;

export interface DiffRow {
  key: string;
  before: unknown;
  after: unknown;
  change: "added" | "removed" | "changed" | "same";
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Field-by-field comparison of two records, changed fields first. */
export function diffRecords(before: Doc, after: Doc): DiffRow[] {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  const rows: DiffRow[] = [...keys].map((key) => {
    const b = before?.[key];
    const a = after?.[key];
    const change: DiffRow["change"] =
      before && !(key in before) ? "added" : after && !(key in after) ? "removed" : same(a, b) ? "same" : "changed";
    return { key, before: b, after: a, change: !before ? "added" : !after ? "removed" : change };
  });
  const order = { changed: 0, added: 1, removed: 2, same: 3 };
  return rows.sort((x, y) => order[x.change] - order[y.change] || x.key.localeCompare(y.key));
}
