/**
 * A WebSocket tunnel, from the upstream's 101 to the close: the client's and the upstream's sockets
 * relayed both ways with backpressure, bytes untouched. Routes without a frame handler get a plain
 * socket pipe — per chunk, a write and two additions, so the relay costs what a raw pipe does
 * (`npm run bench`, websocket scenario) — and routes with one follow frame headers (frame-relay.ts).
 * The tunnel ends when either side goes away (the other is ended too), when nothing moved either way
 * for the service's `read_timeout`, or when the drain closes it; then the exchange is logged once,
 * with its bytes each way and who closed it.
 */
import type { Socket } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';
import { Errors, GatewayError } from '../errors.js';
import type { WebSocketOutcome } from '../pipeline/contract.js';
import type { Exchange } from '../proxy/exchange.js';
import { PROXIED_BODY, type Responder } from '../proxy/responder.js';
import type { ForwardableRoute } from '../runtime/compiled-config.js';
import { CLOSE_GOING_AWAY } from './close-frame.js';
import { FrameRelay } from './frame-relay.js';
import type { ClosableTunnel, OpenTunnels } from './open-tunnels.js';
import type { ClientUpgrade } from './upgrade-listener.js';

/** After the gateway ended a tunnel (or one side did), how long the other side gets to close before it is cut. */
const CLOSE_GRACE_MS = 2_000;

/** What a WebSocket handshake's exchange carries from the listener to its tunnel. */
export interface WebSocketUpgrade extends ClientUpgrade {
  /** The instance's open tunnels, which the drain closes. */
  readonly tunnels: OpenTunnels;
  /** Ends the exchange once the tunnel closed: the log phase and the access-log line. */
  readonly onEnd: (exchange: Exchange) => void;
}

type Side = 'client' | 'upstream';

/**
 * The upstream answered the handshake with 101 on `upstream`: the client gets the 101 (through the
 * responder, so the response phase and the gateway's headers apply) and the two sockets are joined.
 */
export function openTunnel(exchange: Exchange, route: ForwardableRoute, responder: Responder, headers: IncomingHttpHeaders, upstream: Socket): void {
  const upgrade = exchange.upgrade!;
  if (exchange.clientClosed) {
    upstream.destroy();
    exchange.target!.active--;
    return;
  }
  try {
    responder.writeHead(exchange, 101, headers, PROXIED_BODY);
  } catch (error) {
    upstream.destroy();
    exchange.target!.active--;
    responder.sendError(exchange, new GatewayError(Errors.upstreamInvalidResponse, { cause: `invalid 101 head from ${exchange.target!.address}: ${String(error)}` }));
    return;
  }
  const { res } = exchange;
  res.flushHeaders();
  // The response is over for Node: from now on the tunnel owns the socket and says when the exchange ends.
  res.detachSocket(upgrade.socket);
  new Tunnel(exchange, route, upgrade, upstream).start();
}

class Tunnel implements ClosableTunnel {
  private readonly client: Socket;
  private readonly frames: FrameRelay | null;
  /** Chunks relayed so far, either way: orders each side's last chunk. */
  private sequence = 0;
  private clientLast = 0;
  private upstreamLast = 0;
  private bytesIn = 0;
  private bytesOut = 0;
  private firstGone: Side | null = null;
  private openSockets = 2;
  /** Why the gateway ended the tunnel (idle timeout, drain), or a socket's error. */
  private gatewayCause: string | null = null;
  private errorCause: string | null = null;
  private closeCode: number | null = null;
  private graceTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly exchange: Exchange,
    route: ForwardableRoute,
    private readonly upgrade: WebSocketUpgrade,
    private readonly upstream: Socket,
  ) {
    this.client = upgrade.socket;
    const chain = route.chain;
    this.frames = chain.hasWebSocketFrame ? new FrameRelay(exchange.request, chain, this.client, upstream, () => this.endBoth()) : null;
    const idleMs = route.service.read_timeout;
    // The client's socket sees every byte of the tunnel (sent or received), so its idle timer is the tunnel's.
    if (idleMs > 0) this.client.setTimeout(idleMs, () => this.shutdown(`idle for read_timeout (${idleMs}ms)`));
  }

  start(): void {
    const { client, upstream, frames } = this;
    this.upgrade.tunnels.add(this);
    // Frames the client sent before it saw the 101 are read first.
    if (this.upgrade.head.length > 0) client.unshift(this.upgrade.head);
    if (frames === null) {
      client.on('data', (chunk: Buffer) => {
        this.bytesIn += chunk.length;
        this.clientLast = ++this.sequence;
        if (!upstream.write(chunk)) client.pause();
      });
      upstream.on('data', (chunk: Buffer) => {
        this.bytesOut += chunk.length;
        this.upstreamLast = ++this.sequence;
        if (!client.write(chunk)) upstream.pause();
      });
    } else {
      client.on('data', (chunk: Buffer) => {
        this.bytesIn += chunk.length;
        this.clientLast = ++this.sequence;
        if (!frames.fromClient(chunk)) client.pause();
      });
      upstream.on('data', (chunk: Buffer) => {
        this.bytesOut += chunk.length;
        this.upstreamLast = ++this.sequence;
        if (!frames.fromUpstream(chunk)) upstream.pause();
      });
    }
    upstream.on('drain', () => client.resume());
    client.on('drain', () => upstream.resume());
    client.on('end', () => this.gone('client'));
    upstream.on('end', () => this.gone('upstream'));
    client.on('error', (error: NodeJS.ErrnoException) => (this.errorCause ??= `client ${error.code ?? error.message}`));
    upstream.on('error', (error: NodeJS.ErrnoException) => (this.errorCause ??= `upstream ${error.code ?? error.message}`));
    client.on('close', () => this.closed('client'));
    upstream.on('close', () => this.closed('upstream'));
  }

  /** One side finished sending (or its socket closed): the other side's sending is ended too. */
  private gone(side: Side): void {
    this.firstGone ??= side;
    const other = side === 'client' ? this.upstream : this.client;
    if (!other.writableEnded) other.end();
    this.graceTimer ??= setTimeout(() => this.destroyBoth(), CLOSE_GRACE_MS).unref();
  }

  private closed(side: Side): void {
    this.gone(side);
    if (--this.openSockets === 0) this.finish();
  }

  /**
   * Ends the tunnel from the gateway's side. When its frames are followed, each side gets a close frame
   * (1001 going away) at a frame boundary first; a plain pipe cannot know where a frame ends, so its
   * connections are closed (the peers see an abnormal closure, 1006).
   */
  shutdown(cause: string): void {
    this.gatewayCause ??= cause;
    if (this.frames === null) {
      this.destroyBoth();
      return;
    }
    this.closeCode ??= CLOSE_GOING_AWAY;
    this.frames.close({ code: CLOSE_GOING_AWAY, reason: 'going away' });
    this.graceTimer ??= setTimeout(() => this.destroyBoth(), CLOSE_GRACE_MS).unref();
  }

  /** The gateway's close frame went to both sides: their connections end after it. */
  private endBoth(): void {
    const close = this.frames!.closing!;
    this.closeCode ??= close.code;
    this.gatewayCause ??= this.frames!.failure ?? `closed with ${close.code} (${close.reason})`;
    this.client.end();
    this.upstream.end();
    this.graceTimer ??= setTimeout(() => this.destroyBoth(), CLOSE_GRACE_MS).unref();
  }

  private destroyBoth(): void {
    this.client.destroy();
    this.upstream.destroy();
  }

  private closedBy(): WebSocketOutcome['closedBy'] {
    if (this.gatewayCause !== null) return 'gateway';
    if (this.frames?.firstCloseFrom) return this.frames.firstCloseFrom;
    // The side that stopped sending first: in a clean close, the one whose close frame the other answered.
    if (this.clientLast !== this.upstreamLast) return this.clientLast < this.upstreamLast ? 'client' : 'upstream';
    return this.firstGone ?? 'client';
  }

  private finish(): void {
    if (this.graceTimer !== null) clearTimeout(this.graceTimer);
    this.upgrade.tunnels.delete(this);
    const { exchange } = this;
    exchange.target!.active--;
    exchange.bytesIn = this.bytesIn;
    exchange.bytesOut = this.bytesOut;
    exchange.websocket = { closedBy: this.closedBy(), closeCode: this.closeCode };
    exchange.lateCause = this.gatewayCause ?? this.errorCause;
    exchange.request.addLogField('websocket', { closed_by: exchange.websocket.closedBy, close_code: this.closeCode });
    this.upgrade.onEnd(exchange);
  }
}
