/** The line under the timeline, e.g. "ann and bob are typing…". */
export function typingLine(nicks: readonly string[]): string {
  if (nicks.length === 0) return '';
  if (nicks.length === 1) return `${nicks[0]} is typing…`;
  if (nicks.length <= 3) {
    const head = nicks.slice(0, -1).join(', ');

    return `${head} and ${nicks.at(-1) ?? ''} are typing…`;
  }

  return 'Several people are typing…';
}
