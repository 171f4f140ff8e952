/** A date as people read it (YYYY-MM-DD, or to the minute in UTC), with the exact instant for machines. */
export function DateTime({ value, minutes = false }: { value: string; minutes?: boolean }) {
  return <time dateTime={value}>{minutes ? `${value.slice(0, 16).replace('T', ' ')} UTC` : value.slice(0, 10)}</time>;
}
