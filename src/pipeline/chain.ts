/**
 * A route's compiled plugin chain: for each plugin (highest priority first) the instance that applies,
 * chosen once per config version, with per-consumer overrides resolved when the consumer is known.
 * Access handlers run synchronously until one returns a promise, so plugin-free routes cost nothing.
 */
import type { PluginHandlers, RequestContext, RequestSummary, ResponseHead, ShortCircuit, WebSocketClose, WebSocketFrame } from './contract.js';

export interface ChainSlot {
  name: string;
  /** The instance for requests without a more specific consumer-scoped one (may be null). */
  base: PluginHandlers | null;
  /** Consumer id → the instance that wins for that consumer. */
  byConsumer: ReadonlyMap<string, PluginHandlers> | null;
}

type AccessResult = void | ShortCircuit | Promise<void | ShortCircuit>;

function resolve(slot: ChainSlot, ctx: RequestContext): PluginHandlers | null {
  if (slot.byConsumer !== null && ctx.consumer !== null) return slot.byConsumer.get(ctx.consumer.id) ?? slot.base;
  return slot.base;
}

function hasPhase(slot: ChainSlot, phase: keyof PluginHandlers): boolean {
  if (slot.base?.[phase]) return true;
  if (slot.byConsumer) for (const handlers of slot.byConsumer.values()) if (handlers[phase]) return true;
  return false;
}

export class PluginChain {
  static readonly EMPTY = new PluginChain([]);

  private readonly accessSlots: ChainSlot[];
  private readonly responseSlots: ChainSlot[];
  private readonly logSlots: ChainSlot[];
  private readonly requestBodySlots: ChainSlot[];
  private readonly responseBodySlots: ChainSlot[];
  private readonly upstreamHeadSlots: ChainSlot[];
  private readonly requestTransformSlots: ChainSlot[];
  private readonly responseTransformSlots: ChainSlot[];
  private readonly webSocketFrameSlots: ChainSlot[];
  readonly names: readonly string[];

  /** `slots` must be ordered by priority, highest first. */
  constructor(slots: readonly ChainSlot[]) {
    this.accessSlots = slots.filter((s) => hasPhase(s, 'access'));
    this.responseSlots = slots.filter((s) => hasPhase(s, 'response'));
    this.logSlots = slots.filter((s) => hasPhase(s, 'log'));
    this.requestBodySlots = slots.filter((s) => hasPhase(s, 'requestBody'));
    this.responseBodySlots = slots.filter((s) => hasPhase(s, 'responseBody'));
    this.upstreamHeadSlots = slots.filter((s) => hasPhase(s, 'upstreamHead'));
    this.requestTransformSlots = slots.filter((s) => hasPhase(s, 'transformRequestBody'));
    this.responseTransformSlots = slots.filter((s) => hasPhase(s, 'transformResponseBody'));
    this.webSocketFrameSlots = slots.filter((s) => hasPhase(s, 'webSocketFrame'));
    this.names = slots.map((s) => s.name);
  }

  get hasAccess(): boolean {
    return this.accessSlots.length > 0;
  }

  get hasResponse(): boolean {
    return this.responseSlots.length > 0;
  }

  get hasLog(): boolean {
    return this.logSlots.length > 0;
  }

  get hasRequestBody(): boolean {
    return this.requestBodySlots.length > 0;
  }

  get hasResponseBody(): boolean {
    return this.responseBodySlots.length > 0;
  }

  get hasUpstreamHead(): boolean {
    return this.upstreamHeadSlots.length > 0;
  }

  /** A WebSocket tunnel of this route follows frames (otherwise it is a plain socket pipe). */
  get hasWebSocketFrame(): boolean {
    return this.webSocketFrameSlots.length > 0;
  }

  /** Runs access handlers from `from` on; resolves to a ShortCircuit when one answers the request. */
  runAccess(ctx: RequestContext, from = 0): AccessResult {
    const slots = this.accessSlots;
    for (let i = from; i < slots.length; i++) {
      const handlers = resolve(slots[i]!, ctx);
      if (!handlers?.access) continue;
      const result = handlers.access(ctx);
      if (result instanceof Promise) {
        // The last access plugin's promise is the chain's: no extra promise and microtask to wrap it.
        return i === slots.length - 1 ? result : result.then((answer) => answer ?? this.runAccess(ctx, i + 1));
      }
      if (result) return result;
    }
  }

  runResponse(ctx: RequestContext, head: ResponseHead): void {
    for (const slot of this.responseSlots) resolve(slot, ctx)?.response?.(ctx, head);
  }

  runRequestBody(ctx: RequestContext, chunk: Buffer): void {
    for (const slot of this.requestBodySlots) resolve(slot, ctx)?.requestBody?.(ctx, chunk);
  }

  runResponseBody(ctx: RequestContext, chunk: Buffer): void {
    for (const slot of this.responseBodySlots) resolve(slot, ctx)?.responseBody?.(ctx, chunk);
  }

  runUpstreamHead(ctx: RequestContext, head: ResponseHead): void {
    for (const slot of this.upstreamHeadSlots) resolve(slot, ctx)?.upstreamHead?.(ctx, head);
  }

  /** Hands a buffered request body to each transform in turn; returns what goes upstream. */
  transformRequestBody(ctx: RequestContext, body: Buffer): Buffer {
    for (const slot of this.requestTransformSlots) body = resolve(slot, ctx)?.transformRequestBody?.(ctx, body) ?? body;
    return body;
  }

  /** Hands a buffered response body to each transform in turn; returns what the client gets. */
  transformResponseBody(ctx: RequestContext, body: Buffer): Buffer {
    for (const slot of this.responseTransformSlots) body = resolve(slot, ctx)?.transformResponseBody?.(ctx, body) ?? body;
    return body;
  }

  /** Hands a frame's header to each handler in turn; the first close returned ends the tunnel. */
  runWebSocketFrame(ctx: RequestContext, frame: WebSocketFrame): WebSocketClose | void {
    for (const slot of this.webSocketFrameSlots) {
      const close = resolve(slot, ctx)?.webSocketFrame?.(ctx, frame);
      if (close) return close;
    }
  }

  /** Log handlers must not throw; a faulty one is reported and the rest still run. */
  runLog(ctx: RequestContext, summary: RequestSummary, onError: (name: string, error: unknown) => void): void {
    for (const slot of this.logSlots) {
      try {
        resolve(slot, ctx)?.log?.(ctx, summary);
      } catch (error) {
        onError(slot.name, error);
      }
    }
  }
}
