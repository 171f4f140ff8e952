/** A field of a parsed urlencoded body as one string: '' when absent, the first value when repeated. */
export function formText(body: unknown, name: string): string {
  if (typeof body !== 'object' || body === null) return '';
  const value = (body as Record<string, unknown>)[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : '';
}

/** An optional field: undefined when left empty. */
export function formOptional(body: unknown, name: string): string | undefined {
  const value = formText(body, name).trim();
  return value === '' ? undefined : value;
}

export function formFlag(body: unknown, name: string): boolean {
  return formText(body, name) === 'on';
}

/** Every value of a repeated field (checkboxes sharing a name), in order. */
export function formList(body: unknown, name: string): string[] {
  if (typeof body !== 'object' || body === null) return [];
  const value = (body as Record<string, unknown>)[name];
  const values = Array.isArray(value) ? value : [value];
  return values.filter((item): item is string => typeof item === 'string');
}
