/** Config of the aws-lambda plugin: Kong's option names, defaults and rules (Kong 3.x `aws-lambda`). */
import { z } from 'zod';
import { hostnameField } from '../../src/plugin-kit/index.js';

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_KEEPALIVE_MS = 60_000;
export const DEFAULT_PORT = 443;
export const INVOCATION_TYPES = ['RequestResponse', 'Event', 'DryRun'] as const;
export const LOG_TYPES = ['Tail', 'None'] as const;
export const PAYLOAD_VERSIONS = ['1.0', '2.0'] as const;
export const EMPTY_ARRAYS_MODES = ['correct', 'legacy'] as const;

/** Kong's options for assuming another role; Gatehouse uses the credentials it finds as they are. */
const notSupported = (why: string) => z.null().optional().describe(`Not supported (must be null or absent): ${why}`);

export const configSchema = z.lazy(() =>
  z
    .strictObject({
      aws_key: z.string().min(1).nullish().describe('AWS access key id; with aws_secret. Without both, credentials come from the environment, profile, web identity, container or instance role (the AWS SDK chain).'),
      aws_secret: z.string().min(1).nullish().describe('AWS secret access key; with aws_key.'),
      aws_region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'must be an AWS region such as us-east-1').nullish().describe('Region of the function; default AWS_REGION or AWS_DEFAULT_REGION from the environment. Also the signing region with host.'),
      function_name: z.string().min(1).max(170).describe('Function name, partial or full ARN (a version or alias suffix in the ARN is allowed).'),
      qualifier: z.string().min(1).max(128).nullish().describe('Version or alias to invoke (the Qualifier query parameter).'),
      invocation_type: z.enum(INVOCATION_TYPES).default('RequestResponse').describe('RequestResponse waits for the answer; Event queues the call and answers 202 at once; DryRun only checks permission (204).'),
      log_type: z.enum(LOG_TYPES).default('Tail').describe('Tail asks Lambda for the last 4 KB of the function log, written to the gateway log when the function fails.'),
      timeout: z.int().min(1).default(DEFAULT_TIMEOUT_MS).describe('Milliseconds to connect and then to wait for Lambda\'s answer; over it the client gets 504.'),
      keepalive: z.int().min(0).default(DEFAULT_KEEPALIVE_MS).describe('Milliseconds an idle connection to Lambda is kept for the next call.'),
      host: hostnameField.nullish().describe('A Lambda-compatible endpoint to call instead of lambda.<region>.amazonaws.com (LocalStack, a VPC endpoint).'),
      port: z.int().min(1).max(65_535).default(DEFAULT_PORT).describe('Port of host.'),
      disable_https: z.boolean().default(false).describe('Call host over plain HTTP (a local Lambda-compatible endpoint).'),
      unhandled_status: z.int().min(100).max(999).nullish().describe('Status to answer with the function\'s error payload when it fails (X-Amz-Function-Error); without it a failing function is a 502.'),
      forward_request_method: z.boolean().default(false).describe('Send the request method as request_method (when not awsgateway_compatible).'),
      forward_request_uri: z.boolean().default(false).describe('Send the path and query as request_uri and request_uri_args (when not awsgateway_compatible).'),
      forward_request_headers: z.boolean().default(false).describe('Send the request headers as request_headers (when not awsgateway_compatible).'),
      forward_request_body: z.boolean().default(false).describe('Send the body as request_body (base64 with base64_encode_body) and request_body_args (when not awsgateway_compatible).'),
      base64_encode_body: z.boolean().default(true).describe('With forward_request_body, send request_body base64-encoded (request_body_base64: true).'),
      is_proxy_integration: z.boolean().default(false).describe('Read the function\'s answer as a proxy-integration response ({statusCode, headers, body, isBase64Encoded}).'),
      awsgateway_compatible: z.boolean().default(false).describe('Send the event API Gateway sends for a Lambda proxy integration, and read the answer as API Gateway does.'),
      proxy_url: z.url({ protocol: /^http$/ }).nullish().describe('An HTTP proxy (http://host:port) the calls to Lambda go through, tunnelled with CONNECT.'),
      skip_large_bodies: z.boolean().default(true).describe('Accepted for Kong compatibility: Gatehouse holds bodies in memory, so every body up to Lambda\'s 6 MB is sent.'),
      aws_imds_protocol_version: z.enum(['v1', 'v2']).default('v1').describe('Accepted for Kong compatibility: the AWS SDK asks the instance metadata service with IMDSv2 and falls back to v1.'),
      empty_arrays_mode: z.enum(EMPTY_ARRAYS_MODES).default('correct').describe('legacy sends empty JSON arrays in the function\'s JSON answer as {} (Kong\'s old behaviour); correct sends them as they are.'),
      aws_assume_role_arn: notSupported('give the role the gateway runs with (or the keys configured) permission to invoke the function.'),
      aws_role_session_name: z.string().default('kong').describe('Accepted for Kong compatibility (session name of aws_assume_role_arn, which is not supported).'),
      aws_sts_endpoint_url: notSupported('no role is assumed.'),
      proxy_scheme: notSupported('Kong 2.x\'s option; use proxy_url.'),
      awsgateway_compatible_payload_version: z.enum(PAYLOAD_VERSIONS).default('1.0').describe('With awsgateway_compatible: 1.0 is a REST API\'s event (multiValueHeaders), 2.0 an HTTP API\'s (cookies, rawQueryString).'),
    })
    .superRefine((config, issues) => {
      // Kong's entity check: the key pair is given whole or not at all.
      if ((config.aws_key == null) !== (config.aws_secret == null)) {
        issues.addIssue({ code: 'custom', path: [config.aws_key == null ? 'aws_key' : 'aws_secret'], message: 'aws_key and aws_secret must be set together' });
      }
    }),
);

export type AwsLambdaConfig = z.output<typeof configSchema>;
