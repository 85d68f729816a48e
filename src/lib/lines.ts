/** A reply of several lines, the empty ones (a step that does not apply) left out. */
export function joinLines(...parts: (string | false | null | undefined)[]): string {
  return parts.filter(Boolean).join('\n');
}
