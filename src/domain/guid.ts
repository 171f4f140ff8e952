const pattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether text is a GUID in its usual hyphenated form, in either case (as Azure DevOps accepts them). */
export function isGuid(text: string): boolean {
  return pattern.test(text);
}
