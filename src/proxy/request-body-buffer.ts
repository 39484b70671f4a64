/**
 * The request body when a plugin asked for it whole (`ctx.bufferRequestBody`, a JSON body transform):
 * read up to the size asked for and handed to the route's body transforms before anything goes
 * upstream. A longer body is not held: what was read goes upstream first and the rest streams behind
 * it, untouched. Every other request never comes here and streams as it arrives.
 */
import type { IncomingMessage } from 'node:http';
import { Errors, GatewayError } from '../errors.js';
import type { PluginChain } from '../pipeline/chain.js';
import type { Exchange } from './exchange.js';
import { hasBody, observeRequestChunk } from './request-body.js';

/** What goes upstream in place of the client's stream. */
export interface PreparedRequestBody {
  /** The chunks to send (a replaced body is one chunk); null when there is no body at all. */
  chunks: AsyncIterable<Buffer> | Iterable<Buffer> | null;
  /** The chunks were already counted and shown to `requestBody` observers (they are the client's, read whole). */
  observed: boolean;
}

const NO_BODY: PreparedRequestBody = { chunks: null, observed: true };

/** The chunks read before the limit was crossed, then the rest of the stream as it comes. */
async function* prefixThenRest(prefix: readonly Buffer[], rest: AsyncIterator<unknown>): AsyncGenerator<Buffer> {
  yield* prefix;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value as Buffer;
}

/**
 * Reads the client's whole body for a plugin that answers itself (`ctx.readRequestBody`): each chunk
 * counted and observed as it arrives, a 413 GatewayError as soon as more than `limit` bytes came.
 */
export async function readWholeBody(exchange: Exchange, chain: PluginChain, limit: number): Promise<Buffer> {
  const req: IncomingMessage = exchange.request.raw;
  if (!hasBody(req)) return Buffer.alloc(0);
  const declared = Number(req.headers['content-length']);
  if (declared > limit) throw new GatewayError(Errors.bodyTooLarge, { cause: `request body of ${declared} bytes over ${limit}` });
  const chunks: Buffer[] = [];
  let total = 0;
  const iterator = req[Symbol.asyncIterator]();
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
    const chunk = next.value as Buffer;
    total += chunk.length;
    if (total > limit) throw new GatewayError(Errors.bodyTooLarge, { cause: `request body exceeded ${limit} bytes` });
    observeRequestChunk(exchange, chain, chunk);
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
}

/**
 * Reads the body up to `ctx.requestBodyBuffer` bytes and runs the transforms on it (a body a plugin
 * already read whole with `ctx.readRequestBody` is taken as it is). Throws a
 * GatewayError (413) when the body is over the cap a plugin set with `limitRequestBody`, and whatever
 * the client's stream throws when it goes away mid-body.
 */
export async function prepareRequestBody(exchange: Exchange, chain: PluginChain): Promise<PreparedRequestBody> {
  const ctx = exchange.request;
  if (ctx.readBody !== null) return transformed(ctx, chain, ctx.readBody);
  const req: IncomingMessage = ctx.raw;
  const limit = ctx.requestBodyBuffer;
  const chunks: Buffer[] = [];
  let total = 0;
  if (hasBody(req)) {
    // An explicit iterator, not for-await: leaving a for-await loop early would destroy the stream.
    const iterator = req[Symbol.asyncIterator]();
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      const chunk = next.value as Buffer;
      chunks.push(chunk);
      total += chunk.length;
      if (total > limit) {
        ctx.addLogField('body_transform', `request body over ${limit} bytes: sent untouched`);
        return { chunks: prefixThenRest(chunks, iterator), observed: false };
      }
    }
  }
  if (total > ctx.requestBodyLimit) throw new GatewayError(Errors.bodyTooLarge, { cause: `request body exceeded ${ctx.requestBodyLimit} bytes` });
  for (const chunk of chunks) observeRequestChunk(exchange, chain, chunk);
  return transformed(ctx, chain, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total));
}

/** The whole body through the route's transforms, as it goes upstream. */
function transformed(ctx: Exchange['request'], chain: PluginChain, original: Buffer): PreparedRequestBody {
  const body = chain.transformRequestBody(ctx, original);
  if (body !== original) ctx.setUpstreamHeader('content-length', String(body.length));
  if (body.length === 0) return NO_BODY;
  return { chunks: [body], observed: true };
}
