/** Unit: body capture keeps up to the limit, marks a cut, and picks text or base64 by content type. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BodyCapture } from './body-capture.js';
import { headerRedactor } from './redact.js';

describe('BodyCapture', () => {
  it('logs a textual body whole under the limit', () => {
    const capture = new BodyCapture(100);
    capture.add(Buffer.from('{"a":'));
    capture.add(Buffer.from('1}'));
    assert.deepEqual(capture.render('application/json; charset=utf-8'), { body: '{"a":1}', body_encoding: 'utf8', body_truncated: false, body_length: 7 });
  });

  it('cuts across chunks at the limit and reports the full length', () => {
    const capture = new BodyCapture(5);
    capture.add(Buffer.from([1, 2, 3]));
    capture.add(Buffer.from([4, 5, 6, 7]));
    capture.add(Buffer.from([8]));
    assert.deepEqual(capture.render('image/png'), { body: Buffer.from([1, 2, 3, 4, 5]).toString('base64'), body_encoding: 'base64', body_truncated: true, body_length: 8 });
  });

  it('treats +json / +xml / text types as text and an unknown type as binary', () => {
    for (const type of ['application/problem+json', 'application/atom+xml', 'text/plain', 'application/x-www-form-urlencoded']) {
      assert.equal(new BodyCapture(1).render(type).body_encoding, 'utf8', type);
    }
    assert.equal(new BodyCapture(1).render(undefined).body_encoding, 'base64');
  });
});

describe('headerRedactor', () => {
  it('always redacts credentials and the configured names, in any case', () => {
    const redact = headerRedactor(['X-Internal-Token']);
    assert.deepEqual(redact({ authorization: 'Bearer x', cookie: 'a=b', 'set-cookie': ['s=1'], 'x-internal-token': 't', apikey: 'k', accept: '*/*', skipped: undefined }), {
      authorization: '[redacted]',
      cookie: '[redacted]',
      'set-cookie': '[redacted]',
      'x-internal-token': '[redacted]',
      apikey: '[redacted]',
      accept: '*/*',
    });
  });
});
