/** Unit: startOnFreePorts tries again on fresh ports when a port was taken, and only then. */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { startOnFreePorts } from '../support/free-port.js';

describe('startOnFreePorts', () => {
  it('starts again on fresh ports when the bind finds a port taken', async () => {
    const tried: number[][] = [];
    const started = await startOnFreePorts(2, async (ports) => {
      tried.push(ports);
      if (tried.length === 1) {
        // Another process binding the first port between the check and this bind.
        const thief = createServer();
        await new Promise<void>((resolve) => thief.listen(ports[0], '127.0.0.1', resolve));
        try {
          await new Promise<void>((resolve, reject) => createServer().once('error', reject).listen(ports[0], '127.0.0.1', resolve));
        } finally {
          thief.close();
        }
      }
      return ports;
    });
    assert.equal(tried.length, 2);
    assert.deepEqual(started, tried[1]);
    assert.equal(new Set(tried.flat()).size, 4, 'every try gets ports no earlier try had');
  });

  it('throws any other failure at once', async () => {
    let tries = 0;
    await assert.rejects(
      startOnFreePorts(1, async () => {
        tries++;
        throw new Error('bad config');
      }),
      /bad config/,
    );
    assert.equal(tries, 1);
  });
});
