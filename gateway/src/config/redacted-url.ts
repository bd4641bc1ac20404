/**
 * A URL fit for a log line: the password, if any, is replaced by `***`.
 * Bus and database URLs may carry credentials, and logs travel further
 * than the environment they came from.
 */
export function redactedUrl(url: string): string {
  if (!URL.canParse(url)) {
    return '(not a URL)';
  }

  const parsed = new URL(url);
  if (parsed.password !== '') {
    parsed.password = '***';
  }

  return parsed.toString();
}
