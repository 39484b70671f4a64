/**
 * HTTP/2 on the proxy listeners, beside their HTTP/1.1: one node:http2 server (never listening by
 * itself) takes the connections that speak it — on the HTTPS listener those whose ALPN chose `h2`, on
 * the plain listener (GATEHOUSE_PROXY_H2C) those that open with the HTTP/2 preface (prior knowledge)
 * — and hands each stream to the same proxy handler as an HTTP/1.1 request, through Node's
 * compatibility request and response. HTTP/1.1 connections never see this code. Streams per
 * connection and the header list are limited; protocol errors are nghttp2's GOAWAY/RST_STREAM; a
 * client resetting streams faster than any real one (CVE-2023-44487, rapid reset) loses its
 * connection without affecting others.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { constants, createServer, type Http2Server, type Http2ServerRequest, type Http2ServerResponse, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import type { Server as NetServer, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';

/** As nginx's http2_max_concurrent_streams: far above what a browser or a gRPC channel opens. */
export const MAX_CONCURRENT_STREAMS = 128;
/**
 * Streams a client may cancel within RESET_WINDOW_MS before its connection is closed with GOAWAY
 * ENHANCE_YOUR_CALM. A gRPC client cancels a call now and then; a rapid-reset flood sends thousands
 * a second, each of which would otherwise start an upstream request.
 */
export const MAX_RESETS_PER_WINDOW = 200;
const RESET_WINDOW_MS = 1000;
/**
 * As the HTTP/1.1 listener's keep-alive: a connection with no stream open for this long is closed
 * (GOAWAY). One sweep per listener finds them, rather than Node's session timeout, which re-arms a
 * timer on every frame of every stream: 12k–15k of ~740k instructions per gRPC unary call (callgrind).
 */
export const IDLE_TIMEOUT_MS = 65_000;
/** Sweeps per idle timeout: a connection closes between IDLE_TIMEOUT_MS and a sweep later. */
const SWEEPS_PER_TIMEOUT = 13;
/** The connection's receive window: big enough for a fast upload, small enough to keep memory flat. */
const CONNECTION_WINDOW_BYTES = 1024 * 1024;

/** The HTTP/2 client connection preface (RFC 9113 §3.4) starts with these bytes. */
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

export interface Http2ListenerOptions {
  /** Largest header list accepted (GATEHOUSE_MAX_HEADER_BYTES), as for HTTP/1.1. */
  maxHeaderBytes: number;
  /** How long a connection may stay without an open stream (IDLE_TIMEOUT_MS; shorter in tests). */
  idleTimeoutMs?: number;
  /** The proxy handler's entry: a request with its response, as for HTTP/1.1. */
  onRequest(req: IncomingMessage, res: ServerResponse): void;
  logger: Logger;
}

/** Per connection: how many streams the client cancelled in the current window. */
interface ResetCount {
  windowStart: number;
  resets: number;
}

const resetCounts = new WeakMap<ServerHttp2Session, ResetCount>();

/** Per connection: streams open, and since when none is (performance.now()). */
interface SessionUse {
  open: number;
  idleSince: number;
}

/** Where a response's 'close' listener finds its connection's use (a stream's session is gone by then). */
const USE = Symbol('session use');
type TrackedResponse = Http2ServerResponse & { [USE]: SessionUse };

/** Shared by every response (no closure per stream): its stream is over. */
function onResponseClose(this: TrackedResponse): void {
  const use = this[USE];
  if (--use.open === 0) use.idleSince = performance.now();
}

/** Counts a stream the client reset before its answer finished; too many closes the connection. */
function countReset(session: ServerHttp2Session, logger: Logger): void {
  const now = performance.now();
  let count = resetCounts.get(session);
  if (!count || now - count.windowStart > RESET_WINDOW_MS) {
    count = { windowStart: now, resets: 0 };
    resetCounts.set(session, count);
  }
  if (++count.resets !== MAX_RESETS_PER_WINDOW + 1) return;
  logger.warn({ client_ip: session.socket?.remoteAddress, resets: count.resets, window_ms: RESET_WINDOW_MS }, 'HTTP/2 client reset streams too fast (rapid reset): connection closed');
  session.goaway(constants.NGHTTP2_ENHANCE_YOUR_CALM);
  session.destroy();
}

/** The HTTP/2 server both listeners hand their HTTP/2 connections to; `close()` ends its sessions gracefully. */
export class Http2Listener {
  readonly server: Http2Server;
  private readonly sessions = new Map<ServerHttp2Session, SessionUse>();
  private sweeper: NodeJS.Timeout | null = null;

  constructor(options: Http2ListenerOptions) {
    const { logger } = options;
    const idleTimeoutMs = options.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
    const sessions = this.sessions;
    this.server = createServer(
      {
        settings: { maxConcurrentStreams: MAX_CONCURRENT_STREAMS, maxHeaderListSize: options.maxHeaderBytes, enablePush: false },
        maxHeaderListPairs: 256,
        // The session's own receive window; per-stream windows keep their default (64 KiB).
        maxSessionMemory: 16,
      },
      (req: Http2ServerRequest, res: Http2ServerResponse) => {
        req.stream.once('aborted', onAborted);
        const use = sessions.get(req.stream.session as ServerHttp2Session);
        if (use !== undefined) {
          use.open++;
          (res as TrackedResponse)[USE] = use;
          res.once('close', onResponseClose);
        }
        options.onRequest(req as unknown as IncomingMessage, res as unknown as ServerResponse);
      },
    );
    /** Shared by every stream (no closure per stream): `this` is the stream the client reset. */
    const onAborted = function (this: ServerHttp2Stream) {
      if (this.session) countReset(this.session as ServerHttp2Session, logger);
    };
    this.server.on('session', (session: ServerHttp2Session) => {
      sessions.set(session, { open: 0, idleSince: performance.now() });
      session.once('close', () => {
        sessions.delete(session);
        if (sessions.size === 0 && this.sweeper !== null) {
          clearInterval(this.sweeper);
          this.sweeper = null;
        }
      });
      if (this.sweeper === null) {
        this.sweeper = setInterval(() => this.closeIdle(idleTimeoutMs), Math.ceil(idleTimeoutMs / SWEEPS_PER_TIMEOUT));
        this.sweeper.unref();
      }
      session.on('error', (error: Error & { code?: string }) => logger.debug({ err: error.message, code: error.code }, 'HTTP/2 connection failed'));
      session.once('connect', () => session.setLocalWindowSize(CONNECTION_WINDOW_BYTES));
    });
    // A stream the client broke (a protocol error on it) ends there; its connection goes on.
    this.server.on('streamError', () => undefined);
  }

  /** Takes the HTTPS listener's connections whose ALPN chose h2. */
  acceptAlpn(tlsServer: NetServer): void {
    const http1 = tlsServer.listeners('secureConnection') as Array<(socket: TLSSocket) => void>;
    tlsServer.removeAllListeners('secureConnection');
    tlsServer.on('secureConnection', (socket: TLSSocket) => {
      if (socket.alpnProtocol === 'h2') this.server.emit('connection', socket);
      else for (const listener of http1) listener.call(tlsServer, socket);
    });
  }

  /** Takes the plain listener's connections that open with the HTTP/2 preface (h2c with prior knowledge). */
  acceptPriorKnowledge(plainServer: NetServer): void {
    const http1 = plainServer.listeners('connection') as Array<(socket: Socket) => void>;
    plainServer.removeAllListeners('connection');
    plainServer.on('connection', (socket: Socket) => {
      const sniff = () => {
        const head = socket.read() as Buffer | null;
        if (head === null) return;
        const compared = Math.min(head.length, PREFACE.length);
        const isHttp2 = head.subarray(0, compared).equals(PREFACE.subarray(0, compared));
        if (isHttp2 && compared < PREFACE.length) {
          // Not all of the preface yet: wait for the rest before choosing.
          socket.unshift(head);
          return;
        }
        socket.removeListener('readable', sniff);
        socket.unshift(head);
        if (isHttp2) this.server.emit('connection', socket);
        else for (const listener of http1) listener.call(plainServer, socket);
      };
      socket.on('readable', sniff);
    });
  }

  /** Sends GOAWAY on the connections without an open stream for `idleTimeoutMs`. */
  private closeIdle(idleTimeoutMs: number): void {
    const now = performance.now();
    for (const [session, use] of this.sessions) if (use.open === 0 && now - use.idleSince >= idleTimeoutMs && !session.closed) session.close();
  }

  /** Sends GOAWAY on every connection: streams under way finish, no new one starts. */
  close(): void {
    for (const session of this.sessions.keys()) session.close();
  }

  /** Cuts every HTTP/2 connection at once. */
  destroy(): void {
    for (const session of this.sessions.keys()) session.destroy();
  }
}
