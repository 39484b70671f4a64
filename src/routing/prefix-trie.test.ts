import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PrefixTrie, type PrefixHit } from './prefix-trie.js';

function build(prefixes: string[]): PrefixTrie<string> {
  const trie = new PrefixTrie<string>();
  for (const p of prefixes) trie.upsert(p, () => p);
  trie.seal();
  return trie;
}

/** Every stored prefix of `path`, longest first. */
function chain(trie: PrefixTrie<string>, path: string): string[] {
  const out: string[] = [];
  for (let hit: PrefixHit<string> | null = trie.longest(path); hit !== null; hit = hit.shorter) out.push(hit.value);
  return out;
}

describe('PrefixTrie', () => {
  it('finds every stored prefix, longest first, whatever the insertion order', () => {
    const trie = build(['/api/v1/users', '/', '/api', '/api/v2', '/api/v1', '/apix']);
    assert.deepEqual(chain(trie, '/api/v1/users/7'), ['/api/v1/users', '/api/v1', '/api', '/']);
    assert.deepEqual(chain(trie, '/api/v3'), ['/api', '/']);
    assert.deepEqual(chain(trie, '/apix'), ['/apix', '/api', '/']);
    assert.deepEqual(chain(trie, '/ap'), ['/']);
  });

  it('splits edges when a shorter prefix is added after a longer one', () => {
    const trie = build(['/abcdef', '/abc', '/abd']);
    assert.deepEqual(chain(trie, '/abcdefg'), ['/abcdef', '/abc']);
    assert.deepEqual(chain(trie, '/abd'), ['/abd']);
    assert.deepEqual(chain(trie, '/abce'), ['/abc']);
    assert.equal(trie.longest('/ab'), null);
  });

  it('keeps one value per prefix', () => {
    const trie = new PrefixTrie<string[]>();
    trie.upsert('/a', () => []).push('x');
    trie.upsert('/a', () => []).push('y');
    trie.seal();
    assert.deepEqual(trie.longest('/a/b')?.value, ['x', 'y']);
    assert.equal(trie.longest('/a/b')?.prefix, '/a');
  });
});
