/**
 * aws-lambda: Kong's plugin — the request is answered by an AWS Lambda function instead of an
 * upstream. The function gets Kong's payload, or with `awsgateway_compatible` the very event API
 * Gateway's Lambda proxy integration sends (payload 1.0 or 2.0), and its answer becomes the
 * response (read as a proxy-integration answer with `is_proxy_integration` or
 * `awsgateway_compatible`), so a handler written for API Gateway runs behind Gatehouse unchanged.
 * Requests are signed with the AWS SDK's SigV4 signer, with the plugin's keys or the SDK's
 * credential chain. This module and the SDK parts it brings load only when a config uses the plugin.
 */
import { definePlugin, Errors, GatewayError, pathTemplate, type RequestContext, type ShortCircuit } from '../../src/plugin-kit/index.js';
import { credentialsFor } from './credentials.js';
import { legacyEmptyArrays } from './empty-arrays.js';
import { httpApiEvent, restApiEvent } from './gateway-event.js';
import { LambdaInvoker, type Invocation } from './invoke.js';
import { kongPayload } from './kong-payload.js';
import { proxyAnswer } from './proxy-answer.js';
import { configSchema, type AwsLambdaConfig } from './schema.js';

/** Lambda's limit for a synchronous invocation's payload; a longer body cannot be sent anyway. */
const MAX_BODY_BYTES = 6 * 1024 * 1024;
/** The region signed for with a custom host and no region anywhere (LocalStack's default). */
const FALLBACK_SIGNING_REGION = 'us-east-1';
const JSON_TYPE = 'application/json';

function regionOf(config: AwsLambdaConfig): string {
  const region = config.aws_region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (region !== undefined && region !== '') return region;
  if (config.host != null) return FALLBACK_SIGNING_REGION;
  throw new Error('aws-lambda: no region: set aws_region (or AWS_REGION in the environment), or host');
}

/** The headers every answer carries from Lambda: its request id, and the version that ran. */
function lambdaHeaders(invocation: Invocation): Record<string, string> {
  const headers: Record<string, string> = {};
  if (invocation.requestId !== undefined) headers['x-amzn-requestid'] = invocation.requestId;
  if (invocation.executedVersion !== undefined) headers['x-amz-executed-version'] = invocation.executedVersion;
  return headers;
}

/** The function's error payload (`errorType: errorMessage`) for the log cause. */
function functionFailure(invocation: Invocation): string {
  try {
    const failure = JSON.parse(invocation.payload.toString('utf8')) as { errorType?: unknown; errorMessage?: unknown };
    return `function error (${invocation.functionError}) ${String(failure.errorType)}: ${String(failure.errorMessage)}`;
  } catch {
    return `function error (${invocation.functionError})`;
  }
}

export default definePlugin({
  name: 'aws-lambda',
  priority: 750,
  version: '1.0.0',
  configSchema,
  instantiate(config, { logger }) {
    const invoker = new LambdaInvoker(config, regionOf(config), credentialsFor(config));
    const version = config.awsgateway_compatible ? config.awsgateway_compatible_payload_version : '1.0';
    const readsProxyAnswer = config.is_proxy_integration || config.awsgateway_compatible;
    const resources = new Map<string, string>();

    /** API Gateway's `resource` for a route: its first path as a template, computed once per route. */
    const resourceOf = (ctx: RequestContext): string => {
      let resource = resources.get(ctx.route.id);
      if (resource === undefined) {
        const first = ctx.route.paths?.[0];
        resource = (first === undefined ? null : pathTemplate(first))?.template ?? ctx.path;
        resources.set(ctx.route.id, resource);
      }
      return resource;
    };

    const payloadOf = (ctx: RequestContext, body: Buffer): Record<string, unknown> => {
      if (!config.awsgateway_compatible) return kongPayload(ctx, body, config);
      const source = { ctx, body, resource: resourceOf(ctx), now: Date.now() };
      return version === '2.0' ? httpApiEvent(source) : restApiEvent(source);
    };

    const answer = (invocation: Invocation): ShortCircuit => {
      const response = responseOf(invocation);
      if (config.empty_arrays_mode !== 'legacy' || !Buffer.isBuffer(response.body)) return response;
      return { ...response, body: legacyEmptyArrays(response.headers?.['content-type'], response.body) };
    };

    const responseOf = (invocation: Invocation): ShortCircuit => {
      const headers = lambdaHeaders(invocation);
      if (invocation.functionError !== undefined) {
        const cause = functionFailure(invocation);
        logger.warn({ function: config.function_name, lambda_request_id: invocation.requestId, cause, log_tail: invocation.logTail }, 'aws-lambda: the function failed');
        if (config.unhandled_status == null) throw new GatewayError(Errors.upstreamInvalidResponse, { cause, target: invoker.target });
        return { status: config.unhandled_status, headers: { ...headers, 'content-type': JSON_TYPE }, body: invocation.payload };
      }
      if (config.invocation_type !== 'RequestResponse') return { status: invocation.status, headers };
      if (!readsProxyAnswer) return { status: invocation.status, headers: { ...headers, 'content-type': JSON_TYPE }, body: invocation.payload };
      const proxied = proxyAnswer(invocation.payload, version);
      return { ...proxied, headers: { ...headers, ...proxied.headers } };
    };

    return {
      async access(ctx) {
        const body = await ctx.readRequestBody(MAX_BODY_BYTES);
        const invocation = await invoker.invoke(Buffer.from(JSON.stringify(payloadOf(ctx, body))));
        ctx.addLogField('lambda', { function: config.function_name, request_id: invocation.requestId ?? null, executed_version: invocation.executedVersion ?? null });
        return answer(invocation);
      },
      close: () => invoker.close(),
    };
  },
});
