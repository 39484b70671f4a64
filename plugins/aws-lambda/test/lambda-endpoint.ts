/**
 * A local Lambda-compatible endpoint for the aws-lambda suites: a real HTTP server implementing the
 * Invoke API (`POST /2015-03-31/functions/{name}/invocations`, Qualifier, X-Amz-Invocation-Type,
 * X-Amz-Log-Type) that refuses any request whose SigV4 signature does not verify — recomputed with
 * the AWS SDK's signer from the secret of the key the request names — and runs ordinary Lambda
 * handlers `(event, context) => result`, answering as Lambda does (X-Amz-Function-Error on a throw,
 * 202 for Event, 429 when throttled, 404 for an unknown function).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

export type Handler = (event: unknown, context: { awsRequestId: string; functionName: string; functionVersion: string }) => Promise<unknown>;

export interface LambdaFunction {
  handler: Handler;
  /** Alias → version; `$LATEST` is always there. */
  aliases?: Record<string, string>;
  /** Answer 429 TooManyRequestsException instead of running. */
  throttled?: boolean;
}

export interface Invoked {
  name: string;
  qualifier: string | null;
  invocationType: string;
  logType: string;
  accessKeyId: string;
  sessionToken: string | undefined;
  event: unknown;
}

export interface LambdaEndpoint {
  url: string;
  host: string;
  port: number;
  /** Every invocation that passed the signature check, in order. */
  invoked: Invoked[];
  /** Requests refused for their signature. */
  refused: string[];
  close(): Promise<void>;
}

interface Secret {
  secretAccessKey: string;
  sessionToken?: string;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/;
const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function one(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

/** Re-signs the request as received with the SDK's signer; the reason it fails, or null when it verifies. */
async function verify(req: IncomingMessage, path: string, query: URLSearchParams, body: Buffer, secrets: ReadonlyMap<string, Secret>): Promise<{ problem: string } | { accessKeyId: string; sessionToken: string | undefined }> {
  const authorization = one(req.headers.authorization);
  const parts = AUTHORIZATION.exec(authorization);
  if (!parts) return { problem: 'no SigV4 Authorization header' };
  const [, accessKeyId, , region, service, signedHeaders] = parts as unknown as [string, string, string, string, string, string];
  if (service !== 'lambda') return { problem: `signed for service ${service}` };
  const secret = secrets.get(accessKeyId);
  if (!secret) return { problem: `unknown access key ${accessKeyId}` };
  const amzDate = one(req.headers['x-amz-date']);
  const signingDate = new Date(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
  if (Number.isNaN(signingDate.getTime()) || Math.abs(Date.now() - signingDate.getTime()) > MAX_CLOCK_SKEW_MS) return { problem: `x-amz-date ${amzDate} is not now` };
  const sessionToken = req.headers['x-amz-security-token'] === undefined ? undefined : one(req.headers['x-amz-security-token']);
  if (sessionToken !== secret.sessionToken) return { problem: 'session token does not match the key' };
  const headers: Record<string, string> = {};
  for (const name of signedHeaders.split(';')) {
    // The date and token come from the signing inputs; the payload hash is recomputed from the body received.
    if (name === 'x-amz-date' || name === 'x-amz-security-token' || name === 'x-amz-content-sha256') continue;
    if (req.headers[name] === undefined) return { problem: `signed header ${name} missing` };
    headers[name] = one(req.headers[name]);
  }
  const signer = new SignatureV4({
    service: 'lambda',
    region,
    credentials: { accessKeyId, secretAccessKey: secret.secretAccessKey, sessionToken: secret.sessionToken },
    sha256: Hash.bind(null, 'sha256'),
  });
  const resigned = await signer.sign(
    { method: req.method!, protocol: 'http:', hostname: headers.host ?? '', path, query: Object.fromEntries(query), headers, body },
    { signingDate, signableHeaders: new Set(signedHeaders.split(';')) },
  );
  if (resigned.headers.authorization !== authorization) return { problem: 'signature does not match' };
  return { accessKeyId, sessionToken };
}

export async function startLambdaEndpoint(functions: Record<string, LambdaFunction>, secrets: ReadonlyMap<string, Secret>): Promise<LambdaEndpoint> {
  const invoked: Invoked[] = [];
  const refused: string[] = [];
  let sequence = 0;
  const send = (res: import('node:http').ServerResponse, status: number, headers: Record<string, string>, body: string) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body);
  };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url!, 'http://endpoint');
      const rawPath = req.url!.split('?')[0]!;
      const body = await readBody(req);
      const requestId = `00000000-0000-4000-8000-${String(++sequence).padStart(12, '0')}`;
      const match = INVOKE_PATH.exec(rawPath);
      if (req.method !== 'POST' || !match) return send(res, 404, { 'x-amzn-errortype': 'UnknownOperationException' }, '{"message":"Unknown operation"}');
      const verified = await verify(req, rawPath, url.searchParams, body, secrets);
      if ('problem' in verified) {
        refused.push(verified.problem);
        return send(res, 403, { 'x-amzn-errortype': 'InvalidSignatureException', 'x-amzn-requestid': requestId }, JSON.stringify({ message: `The request signature we calculated does not match the signature you provided: ${verified.problem}` }));
      }
      const name = decodeURIComponent(match[1]!);
      const fn = functions[name];
      const qualifier = url.searchParams.get('Qualifier');
      const version = qualifier === null || qualifier === '$LATEST' ? '$LATEST' : (fn?.aliases?.[qualifier] ?? (/^\d+$/.test(qualifier) ? qualifier : undefined));
      if (!fn || version === undefined) {
        return send(res, 404, { 'x-amzn-errortype': 'ResourceNotFoundException', 'x-amzn-requestid': requestId }, JSON.stringify({ Type: 'User', message: `Function not found: ${name}${qualifier ? `:${qualifier}` : ''}` }));
      }
      if (fn.throttled) return send(res, 429, { 'x-amzn-errortype': 'TooManyRequestsException', 'x-amzn-requestid': requestId }, JSON.stringify({ Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded', Type: 'User', message: 'Rate Exceeded.' }));
      const invocationType = one(req.headers['x-amz-invocation-type']) || 'RequestResponse';
      const logType = one(req.headers['x-amz-log-type']) || 'None';
      const event: unknown = JSON.parse(body.toString('utf8'));
      invoked.push({ name, qualifier, invocationType, logType, accessKeyId: verified.accessKeyId, sessionToken: verified.sessionToken, event });
      const context = { awsRequestId: requestId, functionName: name, functionVersion: version };
      const common = { 'x-amzn-requestid': requestId, 'x-amz-executed-version': version };
      if (invocationType === 'Event') {
        void fn.handler(event, context).catch(() => undefined);
        return send(res, 202, common, '');
      }
      if (invocationType === 'DryRun') return send(res, 204, common, '');
      const log = (text: string): Record<string, string> =>
        logType === 'Tail' ? { 'x-amz-log-result': Buffer.from(`START RequestId: ${requestId}\n${text}END RequestId: ${requestId}\n`).toString('base64') } : {};
      try {
        const result = await fn.handler(event, context);
        send(res, 200, { ...common, ...log('') }, result === undefined ? 'null' : JSON.stringify(result));
      } catch (error) {
        const failure = error instanceof Error ? error : new Error(String(error));
        send(res, 200, { ...common, 'x-amz-function-error': 'Unhandled', ...log(`ERROR ${failure.name}: ${failure.message}\n`) }, JSON.stringify({ errorType: failure.name, errorMessage: failure.message, trace: (failure.stack ?? '').split('\n') }));
      }
    })().catch((error: unknown) => res.destroy(error as Error));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    invoked,
    refused,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
