/** Unit: a function's proxy-integration answer read as API Gateway reads it, and what it refuses. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayError } from '../../src/plugin-kit/index.js';
import { proxyAnswer } from './proxy-answer.js';

const answer = (value: unknown, version: '1.0' | '2.0' = '1.0') => proxyAnswer(Buffer.from(JSON.stringify(value)), version);

describe('proxyAnswer', () => {
  it('merges headers with multiValueHeaders (the multi-value list wins) and drops framing headers', () => {
    const out = answer({ statusCode: 201, headers: { 'X-A': '1', 'Content-Length': '99', 'X-N': 5 }, multiValueHeaders: { 'x-a': ['2', '3'], 'Set-Cookie': ['a=1', 'b=2'] }, body: 'hi' });
    assert.equal(out.status, 201);
    assert.deepEqual(out.headers, { 'x-a': ['2', '3'], 'x-n': '5', 'set-cookie': ['a=1', 'b=2'] });
    assert.deepEqual(out.body, Buffer.from('hi'));
  });

  it('decodes a base64 body and takes a numeric string status', () => {
    const out = answer({ statusCode: '200', body: Buffer.from([0, 1, 255]).toString('base64'), isBase64Encoded: true });
    assert.equal(out.status, 200);
    assert.deepEqual(out.body, Buffer.from([0, 1, 255]));
  });

  it('payload 2.0: cookies become Set-Cookie lines; an answer without statusCode is a 200 JSON body', () => {
    assert.deepEqual(answer({ statusCode: 200, cookies: ['c=1'], headers: { 'set-cookie': 'h=1' } }, '2.0').headers, { 'set-cookie': ['h=1', 'c=1'] });
    const bare = answer({ hello: 'world' }, '2.0');
    assert.equal(bare.status, 200);
    assert.deepEqual(JSON.parse(String(bare.body)), { hello: 'world' });
    assert.equal(answer('text', '2.0').status, 200);
  });

  it('refuses what API Gateway calls a malformed Lambda proxy response', () => {
    for (const bad of [{ body: 'x' }, { statusCode: 99 }, { statusCode: 200, body: { a: 1 } }, { statusCode: 200, headers: ['x'] }, { statusCode: 200, headers: { 'bad name': 'x' } }, 'text']) {
      assert.throws(() => answer(bad), (error: unknown) => error instanceof GatewayError && error.kind.error === 'upstream_invalid_response', JSON.stringify(bad));
    }
    assert.throws(() => proxyAnswer(Buffer.from('not json'), '1.0'), GatewayError);
  });
});
