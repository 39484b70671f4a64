/** Unit: the keys of one identity share a Redis Cluster hash tag, whatever the identity holds. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashTagOf, SlotKeys } from './slot-keys.js';
import type { WindowSpec } from './windows.js';

const windows = [{ name: 'second' }, { name: 'minute' }, { name: 'hour' }] as WindowSpec[];

describe('slot keys', () => {
  it('tags every window key of an identity with it, and tells identities apart', () => {
    const keys = new SlotKeys('gatehouse:rl:plugin-id:sliding-window:', windows);
    assert.deepEqual(keys.for('ip', '10.0.0.1'), [
      'gatehouse:rl:plugin-id:sliding-window:{ip:10.0.0.1}:second',
      'gatehouse:rl:plugin-id:sliding-window:{ip:10.0.0.1}:minute',
      'gatehouse:rl:plugin-id:sliding-window:{ip:10.0.0.1}:hour',
    ]);
    assert.deepEqual(new Set(keys.for('ip', '10.0.0.1').map(hashTagOf)), new Set(['ip:10.0.0.1']));
    assert.notEqual(hashTagOf(keys.for('ip', '10.0.0.2')[0]!), hashTagOf(keys.for('ip', '10.0.0.1')[0]!));
    // The same string objects on every request.
    assert.equal(keys.for('ip', '10.0.0.1'), keys.for('ip', '10.0.0.1'));
  });

  it('keeps one tag for an identity holding braces (the tag ends early at the same place in each key)', () => {
    const keys = new SlotKeys('gatehouse:rl:p:fixed-window:', windows);
    for (const [kind, value] of [['header', 'a}b'], ['header', '{x}'], ['header', '}'], ['path', '/{id}']] as const) {
      assert.equal(new Set(keys.for(kind, value).map(hashTagOf)).size, 1, `${kind}:${value}`);
    }
  });
});
