/**
 * gRPC's interop test service (grpc/grpc doc/interop-test-descriptions.md) served by @grpc/grpc-js,
 * and a client for it, so the suites drive the public interop cases through the gateway. The server
 * behaves as the reference one: payloads of the asked sizes, `x-grpc-test-echo-initial` echoed as
 * initial metadata and `x-grpc-test-echo-trailing-bin` as trailing metadata, `response_status`
 * answered as the call's status; UnimplementedCall is left unimplemented. Every call the server sees
 * is recorded with whether it was cancelled, so a suite can tell the gateway cancelled upstream.
 */
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const PROTO = fileURLToPath(new URL('../fixtures/grpc/interop.proto', import.meta.url));

export const ECHO_INITIAL = 'x-grpc-test-echo-initial';
export const ECHO_TRAILING = 'x-grpc-test-echo-trailing-bin';

interface Payload {
  body: Buffer;
}
interface EchoStatus {
  code: number;
  message: string;
}
export interface SimpleRequest {
  response_size?: number;
  payload?: Payload;
  response_status?: EchoStatus | null;
}
export interface StreamingOutputCallRequest {
  response_parameters?: Array<{ size: number; interval_us?: number }>;
  payload?: Payload;
  response_status?: EchoStatus | null;
}

type ServiceClient = grpc.Client & Record<string, (...args: unknown[]) => unknown>;

/** The loaded TestService definition (proto-loader, as the interop clients load it). */
function testService(): grpc.ServiceClientConstructor {
  const definition = protoLoader.loadSync(PROTO, { keepCase: true, longs: Number, defaults: true });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as { grpc: { testing: { TestService: grpc.ServiceClientConstructor } } };
  return loaded.grpc.testing.TestService;
}

export function payloadOf(size: number): Payload {
  return { body: Buffer.alloc(size) };
}

/** Echo the interop metadata: the initial one at once, the trailing one with the status. */
function echoMetadata(call: grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerDuplexStream<unknown, unknown> | grpc.ServerReadableStream<unknown, unknown>): grpc.Metadata {
  const initial = call.metadata.get(ECHO_INITIAL);
  if (initial.length > 0) {
    const head = new grpc.Metadata();
    head.set(ECHO_INITIAL, initial[0]!);
    call.sendMetadata(head);
  }
  const trailing = new grpc.Metadata();
  const echoed = call.metadata.get(ECHO_TRAILING);
  if (echoed.length > 0) trailing.set(ECHO_TRAILING, echoed[0]!);
  return trailing;
}

export interface SeenCall {
  method: string;
  metadata: grpc.Metadata;
  cancelled: boolean;
}

export interface InteropServer {
  port: number;
  calls: SeenCall[];
  close(): Promise<void>;
}

export async function startInteropServer(credentials: grpc.ServerCredentials = grpc.ServerCredentials.createInsecure()): Promise<InteropServer> {
  const server = new grpc.Server();
  const calls: SeenCall[] = [];
  const seen = (method: string, call: { metadata: grpc.Metadata; on(event: 'cancelled', listener: () => void): unknown }) => {
    const entry: SeenCall = { method, metadata: call.metadata, cancelled: false };
    calls.push(entry);
    call.on('cancelled', () => (entry.cancelled = true));
  };
  const service = testService().service;
  server.addService(service, {
    EmptyCall: (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      seen('EmptyCall', call);
      callback(null, {});
    },
    UnaryCall: (call: grpc.ServerUnaryCall<SimpleRequest, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      seen('UnaryCall', call);
      const trailing = echoMetadata(call);
      const status = call.request.response_status;
      if (status && status.code !== 0) callback({ code: status.code, details: status.message, metadata: trailing }, null);
      else callback(null, { payload: payloadOf(call.request.response_size ?? 0) }, trailing);
    },
    StreamingOutputCall: async (call: grpc.ServerWritableStream<StreamingOutputCallRequest, unknown>) => {
      seen('StreamingOutputCall', call);
      for (const parameters of call.request.response_parameters ?? []) {
        if (parameters.interval_us) await new Promise((resolve) => setTimeout(resolve, parameters.interval_us! / 1000));
        if (call.cancelled) return;
        call.write({ payload: payloadOf(parameters.size) });
      }
      call.end();
    },
    StreamingInputCall: (call: grpc.ServerReadableStream<{ payload?: Payload }, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      seen('StreamingInputCall', call);
      let size = 0;
      call.on('data', (request: { payload?: Payload }) => (size += request.payload?.body.length ?? 0));
      call.on('end', () => callback(null, { aggregated_payload_size: size }));
      call.on('error', () => undefined);
    },
    FullDuplexCall: (call: grpc.ServerDuplexStream<StreamingOutputCallRequest, unknown>) => {
      seen('FullDuplexCall', call);
      const trailing = echoMetadata(call);
      let failed = false;
      call.on('data', (request: StreamingOutputCallRequest) => {
        if (failed) return;
        const status = request.response_status;
        if (status && status.code !== 0) {
          failed = true;
          call.emit('error', { code: status.code, details: status.message, metadata: trailing });
          return;
        }
        for (const parameters of request.response_parameters ?? []) call.write({ payload: payloadOf(parameters.size) });
      });
      call.on('end', () => {
        if (!failed) call.end(trailing);
      });
      call.on('error', () => undefined);
    },
  });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', credentials, (error, bound) => (error ? reject(error) : resolve(bound))));
  return {
    port,
    calls,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())).then(() => server.forceShutdown()),
  };
}

export interface InteropClient {
  client: ServiceClient;
  close(): void;
}

/** A TestService client for `target` (host:port); `authority` routes by host at the gateway. */
export function interopClient(target: string, options: { authority?: string; credentials?: grpc.ChannelCredentials; channelOptions?: grpc.ChannelOptions } = {}): InteropClient {
  const channelOptions: grpc.ChannelOptions = { ...options.channelOptions };
  if (options.authority) channelOptions['grpc.default_authority'] = options.authority;
  const Client = testService();
  const client = new Client(target, options.credentials ?? grpc.credentials.createInsecure(), channelOptions) as unknown as ServiceClient;
  return { client, close: () => client.close() };
}

/** A unary call as a promise, settled once both its callback and its status came (trailing metadata included). */
export function unary<T>(client: ServiceClient, method: string, request: unknown, metadata = new grpc.Metadata(), options: grpc.CallOptions = {}): Promise<{ response: T; initial: grpc.Metadata | null; trailing: grpc.Metadata | null }> {
  return new Promise((resolve, reject) => {
    let initial: grpc.Metadata | null = null;
    let trailing: grpc.Metadata | null = null;
    let outcome: { error: grpc.ServiceError | null; response: T } | null = null;
    let statusSeen = false;
    const settle = () => {
      if (outcome === null || !statusSeen) return;
      if (outcome.error) reject(outcome.error);
      else resolve({ response: outcome.response, initial, trailing });
    };
    const call = (client[method] as (...args: unknown[]) => grpc.ClientUnaryCall)(request, metadata, options, (error: grpc.ServiceError | null, response: T) => {
      outcome = { error, response };
      settle();
    });
    call.on('metadata', (m: grpc.Metadata) => (initial = m));
    call.on('status', (s: grpc.StatusObject) => {
      trailing = s.metadata;
      statusSeen = true;
      settle();
    });
  });
}

export { grpc };
