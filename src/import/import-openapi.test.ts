import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateConfig } from '../config/validate.js';
import { bundledRegistry } from '../pipeline/plugin-loader.js';
import { importOpenApi, type OpenApiImportOptions } from './import-openapi.js';

const options = (extra: Partial<OpenApiImportOptions> = {}): OpenApiImportOptions => ({
  from: 'aws',
  file: 'api.json',
  server: 0,
  stageVariables: new Map(),
  discover: async () => null,
  ...extra,
});

const proxy = (uri: string, extra: Record<string, unknown> = {}) => ({ 'x-amazon-apigateway-integration': { type: 'http_proxy', httpMethod: 'ANY', uri, ...extra } });

describe('importOpenApi (aws)', () => {
  it('closes an IAM-authorized operation instead of opening it', async () => {
    const { document, report } = await importOpenApi(
      {
        openapi: '3.0.1',
        info: { title: 'iam' },
        paths: { '/secret': { get: { security: [{ sigv4: [] }], ...proxy('https://backend.example/secret') } } },
        components: { securitySchemes: { sigv4: { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'awsSigv4' } } },
      },
      options(),
    );
    const route = (document.services as any[])[0].routes[0];
    assert.deepEqual(route.plugins[0], { name: 'request-termination', config: { status_code: 403, message: 'Forbidden: sigv4 authorization is not supported' } });
    const entry = report.entries.find((e) => e.kind === 'unmapped' && e.path === '$.components.securitySchemes.sigv4');
    assert.match(entry!.message, /IAM \(SigV4\).*closed/);
  });

  it('an HTTP API $default route sends the whole path; a VPC link is reported', async () => {
    const { document, report } = await importOpenApi(
      { openapi: '3.0.1', info: { title: 'default' }, paths: { $default: { 'x-amazon-apigateway-any-method': proxy('http://internal-nlb.example:8080', { connectionType: 'VPC_LINK' }) } } },
      options(),
    );
    const route = (document.services as any[])[0].routes[0];
    assert.deepEqual([route.paths, route.methods, route.plugins], [['/'], undefined, undefined]);
    assert.ok(report.entries.some((e) => e.kind === 'partial' && e.message.startsWith('VPC_LINK')));
  });

  it('a document-wide api key, an AUTHORIZER key source, and several alternatives are reported', async () => {
    const { document, report } = await importOpenApi(
      {
        swagger: '2.0',
        info: { title: 'keys' },
        security: [{ key: [] }, { other: [] }],
        securityDefinitions: { key: { type: 'apiKey', name: 'x-api-key', in: 'header' }, other: { type: 'basic' } },
        'x-amazon-apigateway-api-key-source': 'AUTHORIZER',
        paths: { '/a': { get: proxy('http://b.example/a') } },
      },
      options(),
    );
    assert.equal((document.services as any[])[0].routes[0].plugins[0].name, 'key-auth');
    assert.ok(report.entries.some((e) => e.kind === 'partial' && e.path === '$.security' && /only the first is enforced/.test(e.message)));
    assert.ok(report.entries.some((e) => e.kind === 'partial' && e.path === '$.securityDefinitions.key' && /AUTHORIZER/.test(e.message)));
  });

  it('an operation without an integration, or of an AWS service integration, is reported and left out', async () => {
    const { document, report } = await importOpenApi(
      {
        openapi: '3.0.1',
        info: { title: 'none' },
        paths: { '/a': { get: {} }, '/q': { post: { 'x-amazon-apigateway-integration': { type: 'aws', uri: 'arn:aws:apigateway:us-east-1:sqs:path/123/q' } } } },
      },
      options(),
    );
    assert.equal(document.services, undefined);
    assert.deepEqual(
      report.entries.filter((e) => e.kind === 'unmapped').map((e) => e.path),
      ['$.paths["/a"].get', '$.paths["/q"].post["x-amazon-apigateway-integration"]', '$.paths'],
    );
  });

  it('maps httpMethod and path parameters from other sources into the request-transformer', async () => {
    const { document } = await importOpenApi(
      {
        swagger: '2.0',
        info: { title: 'm' },
        paths: {
          '/search': {
            get: {
              'x-amazon-apigateway-integration': {
                type: 'http',
                httpMethod: 'POST',
                uri: 'http://b.example/v1/{index}/_search?source=gw',
                requestParameters: { 'integration.request.path.index': 'method.request.querystring.idx', 'integration.request.querystring.q': 'method.request.querystring.text' },
              },
            },
          },
        },
      },
      options(),
    );
    assert.deepEqual((document.services as any[])[0].routes[0].plugins[0], {
      name: 'request-transformer',
      config: { rename: { querystring: ['text:q'] }, add: { querystring: ['source:gw'] }, replace: { uri: "/v1/$(query_params['idx'])/_search" }, http_method: 'POST' },
    });
    const validation = validateConfig(document, bundledRegistry);
    assert.ok(validation.ok, JSON.stringify(!validation.ok && validation.issues));
  });
});
