/**
 * An API Gateway REST API (payload 1.0) Lambda handler, written as for API Gateway and run unchanged
 * behind Gatehouse: it reads multiValueHeaders, multiValueQueryStringParameters, pathParameters and a
 * base64 body, and answers with multiValueHeaders (two Set-Cookie lines) and a base64 binary body.
 */
import { createHash } from 'node:crypto';

interface RestEvent {
  resource: string;
  path: string;
  httpMethod: string;
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
  queryStringParameters: Record<string, string> | null;
  multiValueQueryStringParameters: Record<string, string[]> | null;
  pathParameters: Record<string, string> | null;
  requestContext: { requestId: string; identity: { sourceIp: string }; httpMethod: string };
  body: string | null;
  isBase64Encoded: boolean;
}

export const handler = async (event: RestEvent) => {
  const body = event.body === null ? Buffer.alloc(0) : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
  if (event.pathParameters?.petId === '0') throw new TypeError('pet 0 does not exist');
  if (event.httpMethod === 'PUT') {
    // Binary in, binary out: the bytes reversed, as an image.
    return { statusCode: 200, headers: { 'Content-Type': 'image/png' }, body: Buffer.from(body).reverse().toString('base64'), isBase64Encoded: true };
  }
  return {
    statusCode: 201,
    headers: { 'Content-Type': 'application/json', 'X-Powered-By': 'lambda' },
    multiValueHeaders: { 'Set-Cookie': ['session=abc; Path=/; HttpOnly', 'theme=dark; Path=/'] },
    body: JSON.stringify({
      pet: event.pathParameters?.petId,
      tags: event.multiValueHeaders['X-Tag'],
      lastTag: event.headers['X-Tag'],
      colors: event.multiValueQueryStringParameters?.color,
      color: event.queryStringParameters?.color,
      sha256: createHash('sha256').update(body).digest('hex'),
      base64: event.isBase64Encoded,
      requestId: event.requestContext.requestId,
    }),
    isBase64Encoded: false,
  };
};
