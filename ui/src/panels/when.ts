// "3 minutes ago" for the history list; the exact local time goes in the title (hover).

/** Milliseconds since the epoch; a time without a zone is the server's UTC (SQLite drops the zone). */
function parse(iso: string): number {
  const zoned = /(Z|[+-]\d\d:?\d\d)$/i.test(iso) ? iso : `${iso}Z`;
  return Date.parse(zoned);
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
];

/** How long ago `iso` was, relative to `now` (ms): "just now", "5 minutes ago", "yesterday"... */
export function relativeTime(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return "";
  const t = parse(iso);
  if (Number.isNaN(t)) return "";
  const seconds = Math.round((t - now) / 1000);
  if (Math.abs(seconds) < 45) return "just now";
  const fmt = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return fmt.format(Math.round(seconds / size), unit);
  }
  return fmt.format(Math.round(seconds / 60) || -1, "minute");
}

/** The exact time, in the browser's locale and time zone, with the zone named. */
export function exactTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const t = parse(iso);
  if (Number.isNaN(t)) return "";
  return new Date(t).toLocaleString(undefined, {
    dateStyle: "medium",
    timeStyle: "long",
  });
}
