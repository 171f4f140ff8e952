/** A date as people read it (YYYY-MM-DD), with the exact instant for machines. */
export function DateTime({ value }: { value: string }) {
  return <time dateTime={value}>{value.slice(0, 10)}</time>;
}
