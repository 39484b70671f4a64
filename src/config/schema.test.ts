import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { at } from '../../test/helpers/at.js';
import { configOf, doc, issuesOf } from '../../test/helpers/config-assertions.js';

const service = (fields: Record<string, unknown>) => doc({ services: [{ name: 's', host: 's.internal', ...fields }] });
const route = (fields: Record<string, unknown>) => service({ routes: [{ name: 'r', paths: ['/'], ...fields }] });

describe('declarative schema: defaults', () => {
  it('fills Kong defaults for services, routes, upstreams, targets, jwt secrets and plugins', () => {
    const config = configOf(
      doc({
        services: [{ host: 'a.internal', routes: [{ paths: ['/a'] }] }],
        upstreams: [{ name: 'a.internal', targets: [{ target: '10.0.0.1' }] }],
        consumers: [{ username: 'u', jwt_secrets: [{ key: 'k', secret: 's' }] }],
        plugins: [{ name: 'prometheus' }],
      }),
    );
    const s = at(config.services, 0);
    assert.deepEqual(
      { protocol: s.protocol, port: s.port, connect_timeout: s.connect_timeout, read_timeout: s.read_timeout, write_timeout: s.write_timeout, retries: s.retries, enabled: s.enabled },
      { protocol: 'http', port: 80, connect_timeout: 60000, read_timeout: 60000, write_timeout: 60000, retries: 5, enabled: true },
    );
    const r = at(config.routes, 0);
    assert.deepEqual(
      [r.protocols, r.regex_priority, r.strip_path, r.preserve_host, r.path_handling, r.https_redirect_status_code, r.request_buffering, r.response_buffering],
      [['http', 'https'], 0, true, false, 'v0', 426, true, true],
    );
    const u = at(config.upstreams, 0);
    assert.deepEqual([u.algorithm, u.hash_on, u.hash_fallback, u.slots], ['round-robin', 'none', 'none', 10000]);
    assert.deepEqual(u.targets.map((t) => [t.target, t.weight]), [['10.0.0.1:8000', 100]]);
    assert.equal(config.consumers[0]?.jwt_secrets[0]?.algorithm, 'HS256');
    const p = at(config.plugins, 0);
    assert.deepEqual([p.enabled, p.protocols, p.config], [true, ['grpc', 'grpcs', 'http', 'https'], { per_consumer: false }]);
  });

  it('accepts the 1.1 and 2.1 format versions, and rejects others', () => {
    assert.equal(configOf({ _format_version: '1.1' })._format_version, '1.1');
    assert.equal(configOf({ _format_version: '2.1' })._format_version, '2.1');
    assert.match(at(issuesOf({ _format_version: '4.0' }), 0), /^_format_version: /);
    assert.deepEqual(issuesOf({}), ['_format_version: required field missing'], 'in an API write; a file without it is read as 3.0 (kong-compat.ts)');
  });

  it('has no upper cap on timeouts below 2^31-1', () => {
    assert.equal(configOf(service({ read_timeout: 3_600_000 })).services[0]?.read_timeout, 3_600_000);
    assert.match(at(issuesOf(service({ read_timeout: 2 ** 31 })), 0), /^services\[0\]\.read_timeout: /);
  });
});

describe('declarative schema: service url', () => {
  const expand = (url: string) => {
    const { protocol, host, port, path } = at(configOf(service({ host: undefined, url })).services, 0);
    return { protocol, host, port, path };
  };

  it('expands url into protocol, host, port and path like Kong', () => {
    assert.deepEqual(expand('http://orders.internal:8080/v1'), { protocol: 'http', host: 'orders.internal', port: 8080, path: '/v1' });
    assert.deepEqual(expand('https://orders.internal'), { protocol: 'https', host: 'orders.internal', port: 443, path: undefined });
    assert.deepEqual(expand('http://10.0.0.1/'), { protocol: 'http', host: '10.0.0.1', port: 80, path: '/' });
    assert.deepEqual(expand('https://[::1]:9000/a/%2F/../b'), { protocol: 'https', host: '::1', port: 9000, path: '/a/%2F/../b' });
  });

  it('takes grpc:// and grpcs:// urls (Kong), and refuses HTTP/1.1 for them', () => {
    assert.deepEqual(expand('grpc://inventory.internal:50051'), { protocol: 'grpc', host: 'inventory.internal', port: 50051, path: undefined });
    assert.deepEqual(expand('grpcs://inventory.internal'), { protocol: 'grpcs', host: 'inventory.internal', port: 443, path: undefined });
    assert.equal(configOf(service({ host: undefined, url: 'https://x', http_version: '2' })).services[0]?.http_version, '2');
    assert.deepEqual(issuesOf(service({ host: undefined, url: 'grpc://x', http_version: '1.1' })), ['services[0].http_version: grpc services always use HTTP/2']);
    assert.deepEqual(issuesOf(service({ protocol: 'grpcs', http_version: '1.1' })), ['services[0].http_version: grpcs services always use HTTP/2']);
  });

  it('keeps Kong port 80 when protocol https is given without url', () => {
    assert.equal(configOf(service({ protocol: 'https' })).services[0]?.port, 80);
  });

  it('rejects a url with another protocol, or combined with host', () => {
    assert.deepEqual(issuesOf(service({ host: undefined, url: 'ftp://x' })), ['services[0].url: invalid url: protocol must be http, https, grpc or grpcs']);
    assert.deepEqual(issuesOf(service({ url: 'http://x' })), ['services[0].url: cannot be combined with host']);
    assert.deepEqual(issuesOf(service({ host: undefined, url: 'http://x/?a=1' })), [
      'services[0].url: invalid url: credentials, query and fragment are not supported',
    ]);
    assert.deepEqual(issuesOf(service({ host: undefined })), ['services[0].host: required field missing (or set url)']);
  });
});

describe('declarative schema: routes', () => {
  it('converts PCRE named groups and keeps plain and wildcard values', () => {
    const r = at(configOf(route({ paths: ['/plain', '~/orders/(?P<id>\\d+)$'], hosts: ['*.example.com', 'example.*', 'api.example.com:8443'] })).routes, 0);
    assert.deepEqual(r.paths, ['/plain', '~/orders/(?<id>\\d+)$']);
    assert.deepEqual(r.hosts, ['*.example.com', 'example.*', 'api.example.com:8443']);
  });

  it('reports bad paths, bad regexes and bad wildcards at their index', () => {
    assert.deepEqual(issuesOf(route({ paths: ['/ok', 'orders', '~/x/(?P<id>[0-9]+'], hosts: ['*.a.*', 'a.*.b'] })), [
      'services[0].routes[0].hosts[0]: invalid wildcard: must have at most one wildcard',
      'services[0].routes[0].hosts[1]: invalid wildcard: must be placed at leftmost or rightmost label',
      'services[0].routes[0].paths[1]: should start with: / (fixed path) or ~/ (regex path)',
      'services[0].routes[0].paths[2]: invalid regex: Unterminated group',
    ]);
  });

  it('refuses a host header condition and a route that matches nothing', () => {
    assert.deepEqual(issuesOf(route({ headers: { Host: ['x'] } })), [
      "services[0].routes[0].headers.Host: cannot contain 'host' header, which must be specified in the 'hosts' attribute",
    ]);
    assert.deepEqual(issuesOf(route({ paths: [] })), ["services[0].routes[0]: must set one of 'methods', 'hosts', 'headers', 'paths'"]);
  });

  it('does not accept a service reference on a route nested under a service', () => {
    assert.deepEqual(issuesOf(route({ service: 's' })), ['services[0].routes[0].service: unknown field']);
  });
});

describe('declarative schema: entities are strict', () => {
  it('names every unknown field, top level included', () => {
    assert.deepEqual(issuesOf({ ...service({ colour: 'blue', size: 1 }), vaults: [] }), [
      'vaults: unknown field',
      'services[0].colour: unknown field',
      'services[0].size: unknown field',
    ]);
  });

  it('requires a UUID when an id is given', () => {
    assert.deepEqual(issuesOf(service({ id: 'svc-1' })), ['services[0].id: must be a UUID']);
  });
});

describe('declarative schema: upstreams and consumers', () => {
  const upstream = (fields: Record<string, unknown>) => doc({ upstreams: [{ name: 'u', ...fields }] });

  it('normalizes targets and reports bad ones', () => {
    const u = at(configOf(upstream({ targets: [{ target: 'h:81' }, { target: '[::1]' }, { target: '::2', weight: 0 }] })).upstreams, 0);
    assert.deepEqual(u.targets.map((t) => t.target), ['h:81', '[::1]:8000', '[::2]:8000']);
    assert.deepEqual(issuesOf(upstream({ targets: [{ target: 'bad host' }, { target: 'h:70000' }, { target: 'h', weight: 65536 }] })), [
      'upstreams[0].targets[0].target: Invalid target; not a valid hostname or ip address',
      'upstreams[0].targets[1].target: Invalid target; not a valid hostname or ip address',
      'upstreams[0].targets[2].weight: Too big: expected number to be <=65535',
    ]);
  });

  it('requires the header name when hashing on a header', () => {
    assert.deepEqual(issuesOf(upstream({ algorithm: 'consistent-hashing', hash_on: 'header' })), [
      'upstreams[0].hash_on_header: required when hash_on is "header"',
    ]);
  });

  it('needs a username or custom_id, and a public key for RS/ES jwt secrets', () => {
    assert.deepEqual(issuesOf(doc({ consumers: [{ tags: ['x'] }, { username: 'b', jwt_secrets: [{ key: 'k', algorithm: 'ES256' }] }] })), [
      "consumers[0]: at least one of these fields must be non-empty: 'custom_id', 'username'",
      'consumers[1].jwt_secrets[0].rsa_public_key: required for ES256',
    ]);
  });
});

describe('declarative schema: plugin config', () => {
  it('reports unknown plugins and bad config fields under the real nested path', () => {
    const input = route({ plugins: [{ name: 'foo' }, { name: 'rate-limiting', config: { minute: -1, policy: 'mem', extra: 1 } }] });
    assert.deepEqual(issuesOf(input), [
      'services[0].routes[0].plugins[0].name: unknown plugin "foo"',
      'services[0].routes[0].plugins[1].config.minute: Too small: expected number to be >0',
      'services[0].routes[0].plugins[1].config.policy: Invalid option: expected one of "local"|"redis"',
      'services[0].routes[0].plugins[1].config.extra: unknown field',
    ]);
    assert.deepEqual(issuesOf(doc({ plugins: [{ name: 'prometheus' }, { name: 'acl', config: {} }, { name: 'foo' }] })), [
      'plugins[1].config.allow: required field missing',
      'plugins[2].name: unknown plugin "foo"',
    ]);
  });

  it("stores the plugin schema's output, defaults filled", () => {
    const config = configOf(doc({ consumers: [{ username: 'u', plugins: [{ name: 'rate-limiting', config: { minute: 5 } }] }] }));
    assert.deepEqual(config.plugins[0]?.config, { minute: 5, policy: 'local', limit_by: 'consumer' });
  });
});

describe('declarative schema: every issue at once', () => {
  it('reports problems from every entity in document order', () => {
    const input = doc({
      plugins: [{ name: 'nope' }],
      consumers: [{ username: 'c', keyauth_credentials: [{}] }],
      services: [
        { name: 'a', host: 'a.internal', routes: [{ paths: ['bad'] }], plugins: [{ name: 'key-auth', config: { key_names: 'x' } }] },
        { name: 'b', url: 'nope' },
      ],
      upstreams: [{ name: 'u', targets: [{ target: 'bad host' }] }],
      routes: [{ name: 'r', paths: ['/x'], extra: true }],
    });
    assert.deepEqual(issuesOf(input), [
      'services[0].routes[0].paths[0]: should start with: / (fixed path) or ~/ (regex path)',
      'services[0].plugins[0].config.key_names: Invalid input: expected array, received string',
      'services[1].url: invalid url',
      'routes[0].extra: unknown field',
      'upstreams[0].targets[0].target: Invalid target; not a valid hostname or ip address',
      'consumers[0].keyauth_credentials[0].key: required field missing',
      'plugins[0].name: unknown plugin "nope"',
    ]);
  });
});
