/** Unit: query edits by name that leave every other argument as the client wrote it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QueryArgs } from './query-args.js';

describe('QueryArgs', () => {
  it('leaves untouched arguments byte for byte', () => {
    const query = 'a%5Bb%5D%5Bc%5D=1&x=%E2%9C%93&flag&a[b]=2&sp=a+b';
    const args = new QueryArgs(query);
    args.append('added', 'v w');
    assert.equal(args.toString(), `${query}&added=v%20w`);
  });

  it("removes, renames, replaces, adds and appends by decoded name, as Kong's table does", () => {
    const args = new QueryArgs('drop=1&old=keep%20me&old=2&rep=a&rep=b&has=1&%66lag');
    args.remove('drop');
    args.rename('old', 'new name');
    args.replace('rep', 'z/1');
    args.replace('absent', 'nope');
    args.add('has', 'ignored');
    args.add('fresh', '1');
    args.append('has', '2');
    args.rename('flag', 'f');
    assert.equal(args.toString(), 'new%20name=keep%20me&new%20name=2&rep=z%2F1&has=1&f&fresh=1&has=2');
    assert.equal(args.get('new name'), 'keep me');
    assert.equal(args.get('f'), '');
    assert.equal(args.get('absent'), undefined);
  });

  it('reads an empty or odd query without losing anything', () => {
    assert.equal(new QueryArgs('').toString(), '');
    assert.equal(new QueryArgs('&&a=%zz&').toString(), 'a=%zz');
    assert.equal(new QueryArgs('a=%zz').get('a'), '%zz');
  });
});
