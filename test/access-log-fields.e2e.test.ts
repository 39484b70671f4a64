/**
 * Black-box: the access log, written by hand for speed, says exactly what the logging plugins say —
 * the contract's field list (ACCESS_LOG_FIELDS) and the same values for the same request — and stays
 * valid JSON whatever the client and the config put in the fields.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { ACCESS_LOG_FIELDS } from '../src/observability/log-entry.js';
import { eventually, eventuallyAsync, startTestGateway, type LogLine, type TestGateway } from './helpers/gateway.js';
import { closedPort, startUpstream, type TestUpstream } from './helpers/upstream.js';

/** The logger's own envelope around the contract's fields. */
const ENVELOPE = ['level', 'pid', 'msg', 'time'];
const HOSTILE_USERNAME = 'al"i\\ce \u00e9\u4e2d\u0001\n';
const API_KEY = 'hostile-consumer-key';

describe('access-log fields', () => {
  let upstream: TestUpstream;
  let gw: TestGateway;
  let logPath: string;

  before(async () => {
    upstream = await startUpstream();
    logPath = join(await mkdtemp(join(tmpdir(), 'gatehouse-fields-')), 'file-log.jsonl');
    gw = await startTestGateway({
      _format_version: '3.0',
      consumers: [{ username: HOSTILE_USERNAME, keyauth_credentials: [{ key: API_KEY }] }],
      services: [
        { name: 'keyed', url: upstream.url, routes: [{ name: 'keyed', paths: ['/keyed'], plugins: [{ name: 'key-auth' }] }] },
        { name: 'down', url: `http://127.0.0.1:${await closedPort()}`, routes: [{ name: 'down', paths: ['/down'] }] },
      ],
      plugins: [{ name: 'file-log', config: { path: logPath } }],
    });
  });
  after(async () => {
    await gw?.close();
    await upstream?.close();
  });

  const fileLogEntry = (requestId: string) =>
    eventuallyAsync(async () => {
      const text = await readFile(logPath, 'utf8').catch(() => '');
      return text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .find((entry) => entry.request_id === requestId);
    }, `file-log entry for ${requestId}`);

  const cases: Array<[string, string, Record<string, string>, boolean]> = [
    ['a consumer with quotes, backslashes, control and non-ASCII characters', '/keyed/caf%C3%A9?q=%22x%22', { apikey: API_KEY }, false],
    ['a request that matched no route', '/nowhere/%E2%9C%93', {}, true],
    ['an upstream that refused the connection', '/down/x', {}, true],
    ['a request refused by authentication', '/keyed/x', {}, true],
  ];

  for (const [name, path, headers, failed] of cases) {
    it(`logs the contract's fields, and the logging plugins' values, for ${name}`, async () => {
      const requestId = `fields-"${name.length}"-\\-${Math.random().toString(36).slice(2)}`;
      const res = await request(`${gw.url}${path}`, { headers: { ...headers, 'x-request-id': requestId } });
      await res.body.dump();
      // The capture parses each line as JSON: a line that is not valid JSON fails there.
      const line: LogLine = await eventually(() => gw.accessLogs().find((l) => l.request_id === requestId), 'the access line');
      const entry = await fileLogEntry(requestId);
      // error and cause appear where set, and only then (a 404 has no underlying cause).
      const expected = ACCESS_LOG_FIELDS.filter((field) => (field !== 'error' && field !== 'cause' && field !== 'grpc_status') || entry[field] !== undefined);
      assert.deepEqual(
        Object.keys(line).filter((key) => !ENVELOPE.includes(key)),
        expected,
      );
      assert.equal(line.error !== undefined, failed);
      for (const field of expected) assert.deepEqual(line[field], entry[field], `field ${field}`);
      if (!failed) {
        assert.equal(line.status, 200);
        assert.equal(line.consumer, HOSTILE_USERNAME);
        // The username travels upstream as a header: control characters dropped, the rest \u-escaped.
        assert.equal(upstream.seen.at(-1)?.headers['x-consumer-username'], 'al"i\\ce \\u00e9\\u4e2d');
      }
    });
  }
});
