// Times as every screen shows them: relative ("3 min ago"), "as of" lines for cached data, and
// dates for table cells. Durations are not parsed here: the UI sends what the admin typed and
// shows the error the core returns (one grammar, `entra_core::duration`).

/** "3 min ago", "2 h ago", "5 days ago", "just now". */
export function relativeTime(iso: string, now: number): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = Math.round((now - t) / 1000);
  const future = s < 0;
  const a = Math.abs(s);
  const text =
    a < 45 ? null : a < 3600 ? `${Math.round(a / 60)} min` : a < 86_400 ? `${Math.round(a / 3600)} h` : `${Math.round(a / 86_400)} days`;
  if (text === null) return "just now";
  return future ? `in ${text}` : `${text} ago`;
}

/** "as of 14:02, 3 min ago" or "never synced". */
export function asOfText(asOf: string | null, now: number): string {
  if (!asOf) return "never synced";
  const t = new Date(asOf);
  if (Number.isNaN(t.getTime())) return `as of ${asOf}`;
  return `as of ${t.toLocaleString()} (${relativeTime(asOf, now)})`;
}

/** A date for a table cell: `2025-03-01`. */
export function shortDate(iso: string | null): string {
  if (!iso) return "—";
  const t = new Date(iso);
  return Number.isNaN(t.getTime()) ? iso : t.toISOString().slice(0, 10);
}

/**
 * Seconds (a duration the core has read) in words: `1 hour 30 minutes`, `7 days`, `0 seconds`. For display only:
 * what the admin types is sent as typed, and the core reads it.
 */
export function durationWords(secs: number): string {
  let left = Math.max(0, Math.floor(secs));
  const words: string[] = [];
  for (const [size, name] of [[86_400, "day"], [3600, "hour"], [60, "minute"], [1, "second"]] as const) {
    const n = Math.floor(left / size);
    if (n > 0) words.push(`${n} ${name}${n === 1 ? "" : "s"}`);
    left -= n * size;
  }
  return words.length ? words.join(" ") : "0 seconds";
}
