/**
 * The random identifiers every request needs — a request ID (UUID v4) and a W3C trace id and span id
 * — cut from blocks of pre-formatted text. One randomBytes call, one hex encoding and one join
 * serve a block of requests, and each id is a slice of flat text: randomUUID and hex concatenation
 * built each id from a dozen or more string pieces that every header check then had to flatten
 * again; writing hex digits byte by byte into a Buffer cost about 2,000 instructions per id.
 */
import { randomBytes } from 'node:crypto';

const IDS_PER_BLOCK = 128;

/**
 * A run of ids of one format: each made of `randomLength` random bytes, hex-encoded for the whole
 * block at once (one native call) and cut into ids by `format`, then joined into one flat string so
 * every id is a slice of flat text.
 */
class IdPool {
  private block = '';
  private next = 0;
  private readonly textLength: number;

  constructor(
    private readonly randomLength: number,
    /** The id at hex offset `at`: its 2 × randomLength hex digits, with separators. */
    private readonly format: (hex: string, at: number) => string,
    /** Fixes bits of each id's random bytes before encoding (a UUID's version and variant). */
    private readonly prepare: (random: Buffer, from: number) => void = () => undefined,
  ) {
    this.textLength = format('0'.repeat(2 * randomLength), 0).length;
  }

  take(): string {
    if (this.next === this.block.length) this.refill();
    const id = this.block.slice(this.next, this.next + this.textLength);
    this.next += this.textLength;
    return id;
  }

  private refill(): void {
    const random = randomBytes(this.randomLength * IDS_PER_BLOCK);
    for (let i = 0; i < IDS_PER_BLOCK; i++) this.prepare(random, i * this.randomLength);
    const hex = random.toString('hex');
    const ids = new Array<string>(IDS_PER_BLOCK);
    for (let i = 0; i < IDS_PER_BLOCK; i++) ids[i] = this.format(hex, i * 2 * this.randomLength);
    this.block = ids.join('');
    this.next = 0;
  }
}

/** xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx, V one of 8, 9, a, b (RFC 9562 version 4). */
const uuids = new IdPool(
  16,
  (hex, at) => `${hex.slice(at, at + 8)}-${hex.slice(at + 8, at + 12)}-${hex.slice(at + 12, at + 16)}-${hex.slice(at + 16, at + 20)}-${hex.slice(at + 20, at + 32)}`,
  (random, from) => {
    random[from + 6] = (random[from + 6]! & 0x0f) | 0x40;
    random[from + 8] = (random[from + 8]! & 0x3f) | 0x80;
  },
);

/** A sampled W3C traceparent of a new trace: 00-<trace id: 32 hex>-<span id: 16 hex>-01. */
const traceparents = new IdPool(24, (hex, at) => `00-${hex.slice(at, at + 32)}-${hex.slice(at + 32, at + 48)}-01`);

const spanIds = new IdPool(8, (hex, at) => hex.slice(at, at + 16));

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
