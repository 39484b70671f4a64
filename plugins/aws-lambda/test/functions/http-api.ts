/**
 * An API Gateway HTTP API (payload 2.0) Lambda handler, written as for API Gateway and run unchanged
 * behind Gatehouse: it reads cookies, rawQueryString, lower-case headers and a text or base64 body,
 * answers with `cookies`, or (GET /v2/plain) with a bare object API Gateway turns into a 200 JSON answer.
 */
interface HttpEvent {
  version: '2.0';
  rawPath: string;
  rawQueryString: string;
  cookies?: string[];
  headers: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  pathParameters?: Record<string, string>;
  requestContext: { http: { method: string; path: string; sourceIp: string }; requestId: string };
  body?: string;
  isBase64Encoded: boolean;
}

export const handler = async (event: HttpEvent) => {
  if (event.rawPath === '/v2/plain') return { hello: 'world', method: event.requestContext.http.method };
  const body = event.body === undefined ? '' : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('hex') : event.body;
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json', 'x-seen-tags': event.headers['x-tag'] ?? '' },
    cookies: ['visited=yes; Path=/', `count=${event.cookies?.length ?? 0}; Path=/`],
    body: JSON.stringify({ cookies: event.cookies ?? [], raw: event.rawQueryString, query: event.queryStringParameters ?? {}, body, base64: event.isBase64Encoded }),
  };
};
