const clock = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
});

const fullDate = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'medium',
});

/** The local wall-clock time of a server timestamp, e.g. "14:05". */
export function localTime(iso: string): string {
  const date = new Date(iso);

  return Number.isNaN(date.getTime()) ? '' : clock.format(date);
}

/** Date and time in full, for a tooltip. */
export function localDateTime(iso: string): string {
  const date = new Date(iso);

  return Number.isNaN(date.getTime()) ? iso : fullDate.format(date);
}
