/**
 * No Azure DevOps body nests deeper than a few dozen levels; a body that does is refused before it is parsed, so no
 * later step (validation, storage, rendering) recurses through thousands of levels.
 */
export const maxJsonDepth = 64;

/** The deepest nesting of arrays and objects in JSON text, counted in one pass that skips string contents. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}
