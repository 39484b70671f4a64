/**
 * Lambda's Invoke API (`POST /2015-03-31/functions/{name}/invocations`) over a kept-alive undici
 * pool, each request signed by the AWS SDK's own SigV4 signer (@smithy/signature-v4), and every way
 * it can fail mapped to the contract: unreachable → 502, timed out → 504, throttled → 503, payload
 * too large → 413, any other refusal → 502, each with Lambda's error type and message as the log cause.
 */
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { Pool, ProxyAgent, type Dispatcher } from 'undici';
import { Errors, GatewayError } from '../../src/plugin-kit/index.js';
import type { CredentialProvider } from './credentials.js';
import type { AwsLambdaConfig } from './schema.js';

const API_VERSION = '2015-03-31';
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

export interface Invocation {
  /** Lambda's own status: 200 for RequestResponse, 202 for Event, 204 for DryRun. */
  status: number;
  payload: Buffer;
  /** `Unhandled`/`Handled` when the function itself failed (X-Amz-Function-Error). */
  functionError: string | undefined;
  /** The decoded tail of the function's log (log_type Tail). */
  logTail: string | undefined;
  requestId: string | undefined;
  executedVersion: string | undefined;
}

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The error code of an undici failure or of what it wraps. */
function codeOf(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== null && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return 'UNKNOWN';
}

/** Lambda's error type and message from an error answer (`x-amzn-errortype` and the JSON body). */
function refusal(status: number, headers: Record<string, string | string[] | undefined>, body: Buffer): string {
  const type = one(headers['x-amzn-errortype'])?.split(':')[0] ?? 'UnknownError';
  let message = body.toString('utf8').slice(0, 500);
  try {
    const parsed = JSON.parse(message) as { message?: unknown; Message?: unknown };
    message = String(parsed.message ?? parsed.Message ?? message);
  } catch {
    // Not JSON: the text as it came.
  }
  return `Lambda Invoke ${status} ${type}: ${message}`;
}

export class LambdaInvoker {
  /** A kept-alive pool to the endpoint, or a proxy agent tunnelling to it (proxy_url). */
  private readonly dispatcher: Dispatcher;
  private readonly origin: string;
  private readonly signer: SignatureV4;
  private readonly path: string;
  private readonly query: Record<string, string>;
  private readonly host: string;
  private readonly port: number;
  private readonly protocol: 'https:' | 'http:';
  /** The Host header: host, with the port when it is not the scheme's. */
  private readonly authority: string;
  /** host:port, for log lines. */
  readonly target: string;

  constructor(
    private readonly config: AwsLambdaConfig,
    region: string,
    credentials: CredentialProvider,
  ) {
    this.protocol = config.disable_https ? 'http:' : 'https:';
    this.host = config.host ?? `lambda.${region}.amazonaws.com`;
    this.port = config.host == null ? 443 : config.port;
    const defaultPort = this.protocol === 'https:' ? 443 : 80;
    const authority = this.port === defaultPort ? this.host : `${this.host}:${this.port}`;
    this.target = `${this.host}:${this.port}`;
    // As the SDK's serializer: the name (or ARN) is one path segment, its reserved characters escaped.
    this.path = `/${API_VERSION}/functions/${encodeURIComponent(config.function_name)}/invocations`;
    this.query = config.qualifier == null ? {} : { Qualifier: config.qualifier };
    this.origin = `${this.protocol}//${authority}`;
    const options = {
      keepAliveTimeout: Math.max(config.keepalive, 1),
      keepAliveMaxTimeout: Math.max(config.keepalive, 1),
      connect: { timeout: config.timeout },
      headersTimeout: config.timeout,
      bodyTimeout: config.timeout,
    };
    this.dispatcher = config.proxy_url == null ? new Pool(this.origin, options) : new ProxyAgent({ uri: config.proxy_url, proxyTunnel: true, ...options });
    // The SDK's own Node wiring: its SHA-256 over node:crypto.
    this.signer = new SignatureV4({ service: 'lambda', region, credentials, sha256: Hash.bind(null, 'sha256') });
    this.authority = authority;
  }

  /** Invokes the function with `payload` (JSON); resolves with Lambda's answer or throws a GatewayError. */
  async invoke(payload: Buffer): Promise<Invocation> {
    const headers: Record<string, string> = {
      host: this.authority,
      'content-type': 'application/json',
      'x-amz-invocation-type': this.config.invocation_type,
      'x-amz-log-type': this.config.invocation_type === 'RequestResponse' ? this.config.log_type : 'None',
    };
    let signed;
    try {
      signed = await this.signer.sign({ method: 'POST', protocol: this.protocol, hostname: this.host, port: this.port, path: this.path, query: this.query, headers, body: payload });
    } catch (error) {
      throw new GatewayError(Errors.internal, { cause: `aws-lambda: no AWS credentials: ${error instanceof Error ? error.message : String(error)}` });
    }
    const search = new URLSearchParams(this.query).toString();
    let res;
    try {
      res = await this.dispatcher.request({ origin: this.origin, method: 'POST', path: search === '' ? this.path : `${this.path}?${search}`, headers: signed.headers, body: payload });
    } catch (error) {
      const code = codeOf(error);
      const kind = TIMEOUT_CODES.has(code) ? Errors.upstreamTimeout : Errors.upstreamUnavailable;
      const detail = TIMEOUT_CODES.has(code) ? ` (timeout ${this.config.timeout}ms)` : '';
      throw new GatewayError(kind, { cause: `${code}${detail} ${this.target}: ${error instanceof Error ? error.message : String(error)}`, target: this.target });
    }
    let body: Buffer;
    try {
      body = Buffer.from(await res.body.arrayBuffer());
    } catch (error) {
      const code = codeOf(error);
      throw new GatewayError(TIMEOUT_CODES.has(code) ? Errors.upstreamTimeout : Errors.upstreamUnavailable, { cause: `${code} ${this.target}: Lambda answer cut off`, target: this.target });
    }
    const status = res.statusCode;
    if (status >= 300) {
      const cause = refusal(status, res.headers, body);
      if (status === 429) throw new GatewayError(Errors.serviceUnavailable, { message: 'The function is throttled', headers: { 'retry-after': '1' }, cause, target: this.target });
      if (status === 413) throw new GatewayError(Errors.bodyTooLarge, { cause, target: this.target });
      if (status === 503) throw new GatewayError(Errors.serviceUnavailable, { cause, target: this.target });
      throw new GatewayError(Errors.upstreamUnavailable, { cause, target: this.target });
    }
    const log = one(res.headers['x-amz-log-result']);
    return {
      status,
      payload: body,
      functionError: one(res.headers['x-amz-function-error']),
      logTail: log === undefined ? undefined : Buffer.from(log, 'base64').toString('utf8'),
      requestId: one(res.headers['x-amzn-requestid']),
      executedVersion: one(res.headers['x-amz-executed-version']),
    };
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }
}
