import type { Execution, Task } from "../../api/registry";

export interface Bar {
  task: string;
  state: string | null | undefined;
  /** 0–100: where the bar starts and how wide it is, in % of the window */
  left: number;
  width: number;
  start: number | null;
  end: number | null;
  running: boolean;
}

/**
 * Gantt bars of the tasks of a run: each task from its start to its end (now while it runs),
 * placed in the window from the first start to the last end. Tasks not started yet get no bar.
 */
export function timelineBars(tasks: readonly Task[], now = Date.now()): { bars: Bar[]; from: number | null; to: number | null } {
  const time = (v?: string | null) => (v ? new Date(v).getTime() : null);
  const spans = tasks.map((t) => {
    const start = time(t.start_date);
    const running = !!start && !t.end_date;
    const end = time(t.end_date) ?? (start ? now : null);
    return { t, start, end, running };
  });
  const starts = spans.map((s) => s.start).filter((v): v is number => v !== null);
  const ends = spans.map((s) => s.end).filter((v): v is number => v !== null);
  if (!starts.length) return { bars: spans.map(({ t }) => ({ task: t.task_id, state: t.state, left: 0, width: 0, start: null, end: null, running: false })), from: null, to: null };
  const from = Math.min(...starts);
  const to = Math.max(from + 1000, ...ends);
  const span = to - from;
  const bars = spans.map(({ t, start, end, running }) => {
    if (start === null || end === null) return { task: t.task_id, state: t.state, left: 0, width: 0, start: null, end: null, running: false };
    const left = ((start - from) / span) * 100;
    return { task: t.task_id, state: t.state, left, width: Math.max(1, ((end - start) / span) * 100), start, end, running };
  });
  return { bars, from, to };
}

export function executionDuration(row: Pick<Execution, "duration_s" | "started_at" | "ended_at">, now = Date.now()): number | null {
  if (row.duration_s !== undefined && row.duration_s !== null) return row.duration_s;
  if (!row.started_at) return null;
  const end = row.ended_at ? new Date(row.ended_at).getTime() : now;
  return (end - new Date(row.started_at).getTime()) / 1000;
}
