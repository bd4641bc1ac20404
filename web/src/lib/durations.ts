/**
 * A hop's duration for the path view: whole milliseconds, "<1 ms" below
 * one. A negative value can only come from two clocks that disagree.
 */
export function formatHop(ms: number): string {
  if (ms < 0) return `${Math.round(ms)} ms (clocks differ)`;
  if (ms < 1) return '<1 ms';

  return `${Math.round(ms)} ms`;
}

/** An uptime as people read it: "45 s", "3 min 12 s", "2 h 05 min". */
export function formatUptime(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;

  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;

  const hours = Math.floor(minutes / 60);
  const rest = String(minutes % 60).padStart(2, '0');
  if (hours < 48) return `${hours} h ${rest} min`;

  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** A rate with at most one decimal, e.g. "12.5". */
export function formatRate(perSecond: number): string {
  return perSecond >= 10 ? String(Math.round(perSecond)) : perSecond.toFixed(1);
}
