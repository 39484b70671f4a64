/**
 * Unit, on real descriptors: the FdWriter keeps every byte in order through a file and through a
 * non-blocking pipe whose reader is behind (EAGAIN), copies what it must queue, and stops for good,
 * without throwing, when the reader is gone (EPIPE).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, readSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FdWriter } from './fd-writer.js';

function nonBlockingPipe(): { readFd: number; writeFd: number } {
  const path = join(mkdtempSync(join(tmpdir(), 'gatehouse-fifo-')), 'pipe');
  execFileSync('mkfifo', [path]);
  // The reader opens first: a non-blocking writer cannot open a FIFO that has none.
  const readFd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const writeFd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  return { readFd, writeFd };
}

/** Reads what the pipe holds now. */
function readAvailable(fd: number): Buffer {
  const chunk = Buffer.alloc(1 << 16);
  try {
    return chunk.subarray(0, readSync(fd, chunk));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return Buffer.alloc(0);
    throw error;
  }
}

describe('FdWriter', () => {
  it('writes text as UTF-8 and bytes as they are, in order, to a file', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'gatehouse-fd-')), 'out.log');
    const fd = openSync(path, 'w');
    const writer = new FdWriter(fd);
    writer.write('{"msg":"café"}\n');
    const reused = Buffer.from('{"msg":"access"}\n', 'latin1');
    writer.writeBytes(reused);
    reused.fill(0x2a);
    writer.write('{"msg":"last"}\n');
    closeSync(fd);
    assert.equal(readFileSync(path, 'utf8'), '{"msg":"café"}\n{"msg":"access"}\n{"msg":"last"}\n');
  });

  it('queues a copy of what a full pipe does not take and delivers every byte in order once it drains', async () => {
    const { readFd, writeFd } = nonBlockingPipe();
    const writer = new FdWriter(writeFd);
    // Well over a pipe's 64 KiB: most of it waits in the writer's queue.
    const batches = Array.from({ length: 8 }, (_, i) => Buffer.alloc(40 * 1024, 0x61 + i));
    const reused = Buffer.alloc(40 * 1024);
    for (const batch of batches) {
      batch.copy(reused);
      writer.writeBytes(reused);
    }
    reused.fill(0x2a);
    writer.write('end\n');
    const expected = Buffer.concat([...batches, Buffer.from('end\n')]);
    const received: Buffer[] = [];
    let length = 0;
    const deadline = Date.now() + 5_000;
    while (length < expected.length && Date.now() < deadline) {
      const chunk = readAvailable(readFd);
      received.push(chunk);
      length += chunk.length;
      // The writer retries on a timer: give it the event loop.
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    closeSync(readFd);
    closeSync(writeFd);
    assert.equal(length, expected.length);
    assert.ok(Buffer.concat(received).equals(expected), 'bytes arrived out of order or changed');
  });

  it('drops lines without throwing once the reader has gone, and says so once on stderr', () => {
    const { readFd, writeFd } = nonBlockingPipe();
    closeSync(readFd);
    const writer = new FdWriter(writeFd);
    const complaints: string[] = [];
    const stderrWrite = process.stderr.write;
    process.stderr.write = ((text: string) => complaints.push(text) > 0) as typeof process.stderr.write;
    try {
      writer.write('lost\n');
      writer.writeBytes(Buffer.from('also lost\n'));
      writer.flush();
    } finally {
      process.stderr.write = stderrWrite;
      closeSync(writeFd);
    }
    assert.equal(complaints.length, 1);
    assert.match(complaints[0]!, /log output failed \(EPIPE/);
  });
});
