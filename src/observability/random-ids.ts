/**
 * The random identifiers every request needs — a request ID (UUID v4) and a W3C trace id and span id
 * — cut from blocks of pre-formatted text. One randomBytes call and one formatting pass serve a
 * block of requests, and each id is a slice of flat text: randomUUID and hex concatenation built
 * each id from a dozen or more string pieces that every header check then had to flatten again.
 */
import { randomBytes } from 'node:crypto';

const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
const IDS_PER_BLOCK = 128;

/** Writes `bytes` of `random` from `from` as hex digits into `text` at `at`; returns the next position. */
function writeHex(random: Buffer, from: number, bytes: number, text: Buffer, at: number): number {
  for (let i = from; i < from + bytes; i++) {
    text[at++] = HEX_DIGITS[random[i]! >> 4]!;
    text[at++] = HEX_DIGITS[random[i]! & 0xf]!;
  }
  return at;
}

/** Writes an ASCII string into `text` at `at`; returns the next position. */
function writeText(value: string, text: Buffer, at: number): number {
  return at + text.write(value, at, 'latin1');
}

/** A run of ids of one format: `randomLength` random bytes formatted into `textLength` characters each. */
class IdPool {
  private block = '';
  private next = 0;

  constructor(
    private readonly randomLength: number,
    private readonly textLength: number,
    private readonly format: (random: Buffer, from: number, text: Buffer, at: number) => void,
  ) {}

  take(): string {
    if (this.next === this.block.length) this.refill();
    const id = this.block.slice(this.next, this.next + this.textLength);
    this.next += this.textLength;
    return id;
  }

  private refill(): void {
    const random = randomBytes(this.randomLength * IDS_PER_BLOCK);
    const text = Buffer.allocUnsafe(this.textLength * IDS_PER_BLOCK);
    for (let i = 0; i < IDS_PER_BLOCK; i++) this.format(random, i * this.randomLength, text, i * this.textLength);
    this.block = text.toString('latin1');
    this.next = 0;
  }
}

/** The groups after the first of a UUID's text: [first random byte, bytes]. */
const UUID_GROUPS = [
  [4, 2],
  [6, 2],
  [8, 2],
  [10, 6],
] as const;

/** xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx, V one of 8, 9, a, b (RFC 9562 version 4). */
const uuids = new IdPool(16, 36, (random, from, text, at) => {
  random[from + 6] = (random[from + 6]! & 0x0f) | 0x40;
  random[from + 8] = (random[from + 8]! & 0x3f) | 0x80;
  at = writeHex(random, from, 4, text, at);
  for (const [start, bytes] of UUID_GROUPS) {
    at = writeText('-', text, at);
    at = writeHex(random, from + start, bytes, text, at);
  }
});

/** A sampled W3C traceparent of a new trace: 00-<trace id: 32 hex>-<span id: 16 hex>-01. */
const traceparents = new IdPool(24, 55, (random, from, text, at) => {
  at = writeText('00-', text, at);
  at = writeHex(random, from, 16, text, at);
  at = writeText('-', text, at);
  at = writeHex(random, from + 16, 8, text, at);
  writeText('-01', text, at);
});

const spanIds = new IdPool(8, 16, (random, from, text, at) => void writeHex(random, from, 8, text, at));

/** A fresh random UUID v4. */
export function newUuid(): string {
  return uuids.take();
}

/** A fresh traceparent for a trace starting here: its trace id is [3, 35), its span id [36, 52). */
export function newTraceparent(): string {
  return traceparents.take();
}

/** A fresh random span id (16 hex digits). */
export function newSpanId(): string {
  return spanIds.take();
}
