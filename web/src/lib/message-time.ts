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

const dayFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full' });

/** The local calendar day of a timestamp, e.g. "2026-12-04", to group by. */
export function localDayKey(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';

  const month = String(date.getMonth() + 1).padStart(2, '0');
  const day = String(date.getDate()).padStart(2, '0');

  return `${date.getFullYear()}-${month}-${day}`;
}

/** The local day of a timestamp in words, for a day separator. */
export function localDay(iso: string): string {
  const date = new Date(iso);

  return Number.isNaN(date.getTime()) ? '' : dayFormat.format(date);
}
