/**
 * The element at an index, asserted present, for tests under noUncheckedIndexedAccess: a missing one
 * fails the test with the list's length rather than a TypeError a few lines later.
 */
import assert from 'node:assert/strict';

export function at<T>(list: readonly T[], index: number): T {
  const value = list[index];
  assert.ok(value !== undefined, `expected an element at index ${index}, the list has ${list.length}`);
  return value;
}
