/**
 * HTTP/2 client sessions to upstream targets (services with `http_version: "2"`, and every grpc/grpcs
 * service), made with node:http2 directly: one multiplexed connection per target carries every call,
 * each a stream piped to and from the client's — undici's HTTP/2 dispatch cost a gRPC unary call 30%
 * against a plain stream-piping proxy. h2 over TLS is negotiated by ALPN with the service's upstream
 * TLS settings (verification, CAs, client certificate); a plain target gets h2c with prior
 * knowledge. A session that fails, times out connecting, or receives GOAWAY is replaced by the next
 * call. Sessions have no idle timeout of their own (Node's re-arms a timer on every frame of every
 * stream, a cost per call): an upstream closes the ones it does not want, the next call reconnects,
 * and sessions no config version uses any more are closed. They outlive config versions like pools.
 */
import { connect, type ClientHttp2Session, type ClientHttp2Stream, type OutgoingHttpHeaders, type SecureClientSessionOptions } from 'node:http2';
import type { UpstreamTls } from '../tls/upstream-tls.js';

/**
 * Methods whose streams node:http2 ends with the headers unless told otherwise (its isPayloadMeaningless).
 * A call whose end matches that default passes no options: an options object with `endStream` made
 * session.request() validate it through a path that cost ~6 µs of a gRPC unary call's ~150 µs (CPU
 * profile of the gateway under h2load), where the default path cost nothing measurable.
 */
const ENDED_BY_DEFAULT: ReadonlySet<unknown> = new Set(['GET', 'HEAD', 'DELETE']);

/** The session's receive window: lets a fast upstream stream a large body without waiting on WINDOW_UPDATEs. */
const SESSION_WINDOW_BYTES = 1024 * 1024;

/** The connect timeout as undici names it, so it maps to 504 like an HTTP/1.1 upstream's. */
class ConnectTimeoutError extends Error {
  readonly code = 'UND_ERR_CONNECT_TIMEOUT';
}

export interface H2OriginOptions {
  /** `http://host:port` (h2c) or `https://host:port` (h2 by ALPN). */
  origin: string;
  connectTimeout: number;
  tls: UpstreamTls | null;
  /** SNI and the name the certificate is verified against (the target's host, unless an IP). */
  servername?: string;
}

/** One upstream target's HTTP/2 connection, opened on first use and reopened after it ends. */
export class H2Origin {
  private session: ClientHttp2Session | null = null;

  constructor(private readonly options: H2OriginOptions) {}

  /** Opens a stream for one call on the current session (connecting when there is none). */
  request(headers: OutgoingHttpHeaders, endStream: boolean): ClientHttp2Stream {
    const session = this.current();
    return endStream === ENDED_BY_DEFAULT.has(headers[':method']) ? session.request(headers) : session.request(headers, { endStream });
  }

  private current(): ClientHttp2Session {
    const session = this.session;
    if (session !== null && !session.closed && !session.destroyed) return session;
    return this.open();
  }

  private open(): ClientHttp2Session {
    const { origin, connectTimeout, tls, servername } = this.options;
    const options: SecureClientSessionOptions = tls ? { ...tls.connect, ALPNProtocols: ['h2'] } : {};
    if (tls && servername !== undefined) options.servername = servername;
    const session = connect(origin, options);
    this.session = session;
    const timer = setTimeout(() => session.destroy(new ConnectTimeoutError(`connect timeout after ${connectTimeout}ms to ${origin}`)), connectTimeout);
    session.once('connect', () => {
      clearTimeout(timer);
      session.setLocalWindowSize(SESSION_WINDOW_BYTES);
    });
    const forget = () => {
      clearTimeout(timer);
      if (this.session === session) this.session = null;
    };
    session.once('close', forget);
    // New calls go to a new session; the streams under way finish on this one.
    session.once('goaway', forget);
    // The error reaches each stream of the session too; the call that owns it answers for it.
    session.on('error', () => undefined);
    // Idle sessions must not keep the process alive.
    session.unref();
    return session;
  }

  close(): Promise<void> {
    const session = this.session;
    this.session = null;
    if (session === null || session.destroyed) return Promise.resolve();
    return new Promise((resolve) => session.close(() => resolve()));
  }
}

/** The sessions by origin and TLS settings, shared by the config versions that use them. */
export class H2SessionRegistry {
  private readonly origins = new Map<string, H2Origin>();

  get(options: H2OriginOptions): H2Origin {
    const key = `${options.origin}|${options.connectTimeout}|${options.tls?.key ?? ''}|${options.servername ?? ''}`;
    let origin = this.origins.get(key);
    if (!origin) {
      origin = new H2Origin(options);
      this.origins.set(key, origin);
    }
    return origin;
  }

  /** Closes the sessions not in `inUse` once their streams finish. */
  retainOnly(inUse: ReadonlySet<H2Origin>): void {
    for (const [key, origin] of this.origins) {
      if (!inUse.has(origin)) {
        this.origins.delete(key);
        void origin.close();
      }
    }
  }

  async closeAll(): Promise<void> {
    const origins = [...this.origins.values()];
    this.origins.clear();
    await Promise.all(origins.map((origin) => origin.close()));
  }
}
