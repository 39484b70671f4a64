/** Unit: top-level JSON member edits keep every untouched value's exact text. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JsonObjectEdit } from './json-object.js';

const edit = (text: string) => {
  const parsed = JsonObjectEdit.parse(text);
  assert.ok(parsed, text);
  return parsed;
};

describe('JsonObjectEdit', () => {
  it('reads nothing but a JSON object', () => {
    for (const text of ['[1,2]', '"x"', '12', 'null', '{"a":', '', 'nope']) assert.equal(JsonObjectEdit.parse(text), null, text);
    assert.equal(edit(' { } ').toString(), '{}');
  });

  it('keeps untouched values byte for byte: big numbers, nesting, escapes, spacing inside values', () => {
    const text = '{ "id" : 12345678901234567891, "n": 1.50e+3, "s": "a \\"quoted\\" }, ]", "nested": {"a": [1, {"b": "}"}], "c": null}, "t": true }';
    const out = edit(text);
    out.remove('t');
    assert.equal(out.toString(), '{"id":12345678901234567891,"n":1.50e+3,"s":"a \\"quoted\\" }, ]","nested":{"a": [1, {"b": "}"}], "c": null}}');
    assert.deepEqual(JSON.parse(out.toString()).nested, { a: [1, { b: '}' }], c: null });
  });

  it('removes, renames, sets and appends as Kong does', () => {
    const out = edit('{"a":1,"b":"x","list":[1],"empty":[],"drop":0}');
    assert.equal(out.remove('drop'), true);
    assert.equal(out.remove('missing'), false);
    assert.equal(out.rename('a', 'alpha'), true);
    assert.equal(out.rename('missing', 'z'), false);
    out.set('b', '"y"');
    out.set('new', '"n"');
    out.append('list', '2');
    out.append('empty', '"e"');
    out.append('alpha', '3');
    out.append('fresh', '"f"');
    assert.deepEqual(JSON.parse(out.toString()), { alpha: [1, 3], b: 'y', list: [1, 2], empty: ['e'], new: 'n', fresh: ['f'] });
    assert.equal(Object.keys(JSON.parse(out.toString())).join(), 'alpha,b,list,empty,new,fresh');
  });

  it('treats a repeated key as one member, as JSON.parse does, and escapes keys it writes', () => {
    const out = edit('{"k":1,"other":2,"k":3}');
    assert.equal(out.rawValue('k'), '3');
    out.set('k', '4');
    assert.equal(out.toString(), '{"k":4,"other":2}');
    out.rename('other', 'we"ird');
    assert.deepEqual(JSON.parse(out.toString()), { k: 4, 'we"ird': 2 });
    const escaped = edit('{"\\u0061":1}');
    assert.equal(escaped.has('a'), true);
  });
});
