/**
 * Cron expressions for the schedule builder: presets, a quick local check of the five fields, and
 * a description in words. The server (croniter) decides in the end and computes the next runs.
 */
export type Frequency = "none" | "hourly" | "daily" | "weekdays" | "weekly" | "monthly" | "custom";

export interface CronSpec {
  frequency: Frequency;
  minute: number;
  hour: number;
  /** 0 = Sunday … 6 = Saturday (weekly) */
  weekday: number;
  /** 1–28 (monthly; the 29th–31st do not exist every month) */
  day: number;
}

export const DEFAULT_SPEC: CronSpec = { frequency: "none", minute: 0, hour: 6, weekday: 1, day: 1 };

export const FREQUENCIES: { value: Frequency; label: string }[] = [
  { value: "none", label: "On demand only" },
  { value: "hourly", label: "Every hour" },
  { value: "daily", label: "Every day" },
  { value: "weekdays", label: "Every weekday (Mon–Fri)" },
  { value: "weekly", label: "Every week" },
  { value: "monthly", label: "Every month" },
  { value: "custom", label: "Custom cron expression" },
];

export const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

const NAMED: Record<string, string> = {
  "@hourly": "0 * * * *",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@weekly": "0 0 * * 0",
  "@monthly": "0 0 1 * *",
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
};

/** The expression a builder spec stands for ("" for on demand). */
export function buildCron(spec: CronSpec): string {
  const { minute: m, hour: h } = spec;
  switch (spec.frequency) {
    case "none":
    case "custom":
      return "";
    case "hourly":
      return `${m} * * * *`;
    case "daily":
      return `${m} ${h} * * *`;
    case "weekdays":
      return `${m} ${h} * * 1-5`;
    case "weekly":
      return `${m} ${h} * * ${spec.weekday}`;
    case "monthly":
      return `${m} ${h} ${spec.day} * *`;
  }
}

/** The builder spec of an expression, or frequency "custom" when the builder cannot show it. */
export function parseCron(expression: string | null | undefined): CronSpec {
  const text = (expression ?? "").trim();
  if (!text) return { ...DEFAULT_SPEC, frequency: "none" };
  const expanded = NAMED[text.toLowerCase()] ?? text;
  const parts = expanded.split(/\s+/);
  const custom = { ...DEFAULT_SPEC, frequency: "custom" as const };
  if (parts.length !== 5) return custom;
  const [mi, ho, dom, mon, dow] = parts;
  const num = (v: string, max: number) => (/^\d+$/.test(v) && Number(v) <= max ? Number(v) : null);
  const minute = num(mi, 59);
  if (minute === null || mon !== "*") return custom;
  if (ho === "*" && dom === "*" && dow === "*") return { ...DEFAULT_SPEC, frequency: "hourly", minute };
  const hour = num(ho, 23);
  if (hour === null) return custom;
  if (dom === "*" && dow === "*") return { ...DEFAULT_SPEC, frequency: "daily", minute, hour };
  if (dom === "*" && dow === "1-5") return { ...DEFAULT_SPEC, frequency: "weekdays", minute, hour };
  const weekday = num(dow, 7);
  if (dom === "*" && weekday !== null) return { ...DEFAULT_SPEC, frequency: "weekly", minute, hour, weekday: weekday % 7 };
  const day = num(dom, 28);
  if (dow === "*" && day !== null && day >= 1) return { ...DEFAULT_SPEC, frequency: "monthly", minute, hour, day };
  return custom;
}

const RANGES: [string, number, number][] = [
  ["minute", 0, 59],
  ["hour", 0, 23],
  ["day of month", 1, 31],
  ["month", 1, 12],
  ["day of week", 0, 7],
];
const MONTH_NAMES = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/** A quick local check; null when the expression looks valid (the server has the last word). */
export function checkCron(expression: string): string | null {
  const text = expression.trim();
  if (!text) return null;
  if (text.startsWith("@")) return NAMED[text.toLowerCase()] ? null : `unknown preset ${text} (use @hourly, @daily, @weekly, @monthly or @yearly)`;
  const parts = text.split(/\s+/);
  if (parts.length !== 5) return `a cron expression has 5 fields (minute hour day-of-month month day-of-week), this one has ${parts.length}`;
  for (const [i, part] of parts.entries()) {
    const [name, low, high] = RANGES[i];
    const names = i === 3 ? MONTH_NAMES : i === 4 ? DAY_NAMES : [];
    for (const item of part.split(",")) {
      const [range, step] = item.split("/");
      if (step !== undefined && !/^\d+$/.test(step)) return `the ${name} step "${step}" is not a number`;
      if (range === "*") continue;
      for (const bound of range.split("-")) {
        const lower = bound.toLowerCase();
        if (names.includes(lower)) continue;
        if (!/^\d+$/.test(bound)) return `"${bound}" is not a valid ${name}`;
        if (Number(bound) < low || Number(bound) > high) return `the ${name} must be between ${low} and ${high}, not ${bound}`;
      }
    }
  }
  return null;
}

const pad = (n: number) => String(n).padStart(2, "0");

function listOf(field: string, words: string[] | null): string {
  return field
    .split(",")
    .map((item) => {
      const name = (v: string) => (words && /^\d+$/.test(v) ? (words[Number(v) % words.length] ?? v) : v);
      const [a, b] = item.split("-");
      return b !== undefined ? `${name(a)} to ${name(b)}` : name(a);
    })
    .join(", ");
}

/** The schedule in words, e.g. "Every Monday at 06:00". */
export function describeCron(expression: string | null | undefined): string {
  const text = (expression ?? "").trim();
  if (!text) return "On demand only: runs when someone triggers it";
  const expanded = NAMED[text.toLowerCase()] ?? text;
  if (checkCron(expanded)) return "Not a valid schedule";
  const [mi, ho, dom, mon, dow] = expanded.split(/\s+/);
  const spec = parseCron(expanded);
  const at = `at ${pad(spec.hour)}:${pad(spec.minute)}`;
  switch (spec.frequency) {
    case "hourly":
      return spec.minute === 0 ? "Every hour, on the hour" : `Every hour at ${spec.minute} minutes past`;
    case "daily":
      return `Every day ${at}`;
    case "weekdays":
      return `Every weekday (Monday to Friday) ${at}`;
    case "weekly":
      return `Every ${WEEKDAYS[spec.weekday]} ${at}`;
    case "monthly":
      return `On day ${spec.day} of every month ${at}`;
    default:
      break;
  }
  const every = /^\*\/(\d+)$/;
  if (every.test(mi) && ho === "*" && dom === "*" && mon === "*" && dow === "*") return `Every ${every.exec(mi)![1]} minutes`;
  if (/^\d+$/.test(mi) && every.test(ho) && dom === "*" && mon === "*" && dow === "*")
    return `Every ${every.exec(ho)![1]} hours at ${Number(mi)} minutes past`;
  const parts = [`minute ${mi}`, ho === "*" ? "every hour" : `hour ${ho}`];
  if (dom !== "*") parts.push(`day ${dom} of the month`);
  // month numbers are 1-based: index 0 (never used) then January … December
  if (mon !== "*") parts.push(`in ${listOf(mon, ["", ...MONTH_NAMES.map((m) => m[0].toUpperCase() + m.slice(1))])}`);
  if (dow !== "*") parts.push(`on ${listOf(dow, WEEKDAYS)}`);
  return `Custom: ${parts.join(", ")}`;
}

/** The browser's IANA timezone, the default of a new schedule. */
export function browserTimezone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}
