/**
 * TEMPORARY local copy of `isValidDatasetName` until `src/shared/tile-key.ts`
 * lands on main; delete this file and import from there after the merge.
 * Rule: 1-128 of [A-Za-z0-9._-], and no "..", so a name is always one safe
 * path segment and one safe object-key prefix.
 */
export function isValidDatasetName(name: string): boolean {
  return /^[A-Za-z0-9._-]{1,128}$/.test(name) && !name.includes('..');
}
