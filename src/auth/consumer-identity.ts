/**
 * What every authentication plugin does with its outcome, as Kong does it: set the consumer and
 * credential on the request and forward them as X-Consumer-* headers (client copies never survive),
 * fall back to the `anonymous` consumer, or answer 401.
 */
import type { ConsumerEntity } from '../config/types.js';
import { Errors, GatewayError } from '../errors.js';
import type { AuthenticatedCredential, RequestContext } from '../pipeline/contract.js';
import { headerSafe } from '../http/header-value.js';
import { findConsumer, type ConsumerIndex } from './consumer-index.js';

const CONSUMER_ID = 'x-consumer-id';
const CONSUMER_USERNAME = 'x-consumer-username';
const CONSUMER_CUSTOM_ID = 'x-consumer-custom-id';
const CREDENTIAL_IDENTIFIER = 'x-credential-identifier';
const ANONYMOUS = 'x-anonymous-consumer';

/** The options Kong's auth plugins share. */
export interface AuthGateOptions {
  anonymous: string | null;
  run_on_preflight: boolean;
}

/** Who a request is, once authenticated, and the upstream headers that say so (null removes a client copy). */
export interface Identity {
  consumer: ConsumerEntity | null;
  credential: AuthenticatedCredential | null;
  /** Lower-case header names. */
  headers: ReadonlyArray<readonly [string, string | null]>;
}

/** A header value from config or a token, made sendable (see headerSafe); null stays null. */
function sendable(value: string | null | undefined): string | null {
  return value === null || value === undefined ? null : headerSafe(value);
}

/**
 * The identity of an authenticated request, with its X-Consumer-* headers resolved, so a plugin that
 * caches it applies it at no further cost. `identifier` is the credential's public name (key id,
 * username, jwt key) — never the secret.
 */
export function identityOf(consumer: ConsumerEntity | null, credential: AuthenticatedCredential | null, identifier: string | null): Identity {
  return {
    consumer,
    credential,
    headers: [
      [CONSUMER_ID, consumer?.id ?? null],
      [CONSUMER_USERNAME, sendable(consumer?.username)],
      [CONSUMER_CUSTOM_ID, sendable(consumer?.custom_id)],
      [CREDENTIAL_IDENTIFIER, sendable(identifier)],
      [ANONYMOUS, consumer !== null && credential === null ? 'true' : null],
    ],
  };
}

/** Marks the request as authenticated as `identity`. */
export function applyIdentity(ctx: RequestContext, identity: Identity): void {
  ctx.consumer = identity.consumer;
  ctx.credential = identity.credential;
  for (const [name, value] of identity.headers) ctx.setUpstreamHeader(name, value);
}

/** Marks the request as authenticated (see identityOf). */
export function setConsumer(ctx: RequestContext, consumer: ConsumerEntity | null, credential: AuthenticatedCredential | null, identifier: string | null): void {
  applyIdentity(ctx, identityOf(consumer, credential, identifier));
}

/** Removes client-sent X-Consumer-* copies from a request that goes on without a consumer. */
export function clearConsumerHeaders(ctx: RequestContext): void {
  if (ctx.consumer === null) setConsumer(ctx, null, null, null);
}

/** The per-instance part of the flow: when to skip, and what a failure becomes. */
export class AuthGate {
  private readonly anonymous: ConsumerEntity | null | undefined;

  constructor(
    private readonly options: AuthGateOptions,
    index: ConsumerIndex,
  ) {
    // undefined: `anonymous` names a consumer this config version does not have (Kong answers 500).
    this.anonymous = options.anonymous === null ? null : findConsumer(index, options.anonymous);
  }

  /** Kong skips preflights unless run_on_preflight, and skips when a previous plugin already authenticated (logical OR with `anonymous`). */
  skips(ctx: RequestContext): boolean {
    if (!this.options.run_on_preflight && ctx.method === 'OPTIONS') {
      clearConsumerHeaders(ctx);
      return true;
    }
    return this.options.anonymous !== null && ctx.credential !== null;
  }

  /** Falls back to the anonymous consumer, or throws the 401. */
  fail(ctx: RequestContext, error: GatewayError): void {
    if (this.options.anonymous === null) throw error;
    if (this.anonymous === undefined) {
      throw new GatewayError(Errors.internal, { cause: `anonymous consumer "${this.options.anonymous}" is not configured` });
    }
    setConsumer(ctx, this.anonymous, null, null);
  }
}

export function unauthorized(message: string, challenge: string, cause?: string): GatewayError {
  return new GatewayError(Errors.unauthorized, { message, headers: { 'WWW-Authenticate': challenge }, cause: cause ?? message });
}
