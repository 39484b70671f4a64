import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { at } from '../../test/helpers/at.js';
import { configOf, doc, issuesOf } from '../../test/helpers/config-assertions.js';
import type { GatewayConfig } from './types.js';

const kongYml = () => parse(readFileSync(new URL('../../test/fixtures/kong.yml', import.meta.url), 'utf8')) as unknown;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function allIds(config: GatewayConfig): string[] {
  return [
    ...config.services,
    ...config.routes,
    ...config.upstreams,
    ...config.upstreams.flatMap((u) => u.targets),
    ...config.consumers,
    ...config.consumers.flatMap((c) => [...c.keyauth_credentials, ...c.jwt_secrets, ...c.basicauth_credentials, ...c.acls]),
    ...config.plugins,
  ].map((entity) => entity.id);
}

describe('normalization of a realistic kong.yml', () => {
  const config = configOf(kongYml());
  const id = <T extends { id: string; name?: string }>(list: T[], name: string) => list.find((e) => e.name === name)?.id;
  const serviceId = (name: string) => ({ id: id(config.services, name) });
  const routeId = (name: string) => ({ id: id(config.routes, name) });
  const aliceId = { id: config.consumers.find((c) => c.username === 'alice')?.id };

  it('flattens every entity, keeping declaration order (nested routes first)', () => {
    assert.deepEqual(config.services.map((s) => s.name), ['orders', 'billing']);
    assert.deepEqual(config.routes.map((r) => r.name), ['orders-api', 'billing-api', 'billing-admin']);
    assert.deepEqual(config.upstreams.map((u) => u.targets.map((t) => t.target)), [['10.0.0.5:8080', '10.0.0.6:8000']]);
    assert.deepEqual(config.consumers.map((c) => c.username ?? c.custom_id), ['alice', 'batch-job']);
    assert.deepEqual(config.plugins.map((p) => p.name), ['key-auth', 'jwt', 'rate-limiting', 'rate-limiting', 'prometheus', 'acl', 'rate-limiting']);
  });

  it('resolves nesting and references (name, {name}) to ids', () => {
    assert.deepEqual(config.routes.map((r) => r.service), [serviceId('orders'), serviceId('billing'), serviceId('billing')]);
    const scopes = config.plugins.map((p) => [p.name, p.service, p.route, p.consumer]);
    assert.deepEqual(scopes, [
      ['key-auth', serviceId('orders'), null, null],
      ['jwt', null, routeId('orders-api'), null],
      ['rate-limiting', null, routeId('orders-api'), null],
      ['rate-limiting', null, null, aliceId],
      ['prometheus', null, null, null],
      ['acl', null, routeId('billing-admin'), null],
      ['rate-limiting', serviceId('orders'), null, aliceId],
    ]);
  });

  it('gives every entity and credential a UUID, the same on every load', () => {
    const ids = allIds(config);
    assert.equal(ids.length, 24);
    for (const entityId of ids) assert.match(entityId, UUID);
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual(configOf(kongYml()), config);
  });
});

describe('normalization: ids and references', () => {
  const givenId = '6ba7b810-9dad-41d1-80b4-00c04fd430c8';

  it('keeps given ids and resolves references to them as a string or {id}', () => {
    const config = configOf(
      doc({
        services: [{ id: givenId, name: 's', host: 'h' }],
        routes: [{ service: givenId, paths: ['/a'] }, { service: { id: givenId }, paths: ['/b'] }],
      }),
    );
    assert.equal(config.services[0]?.id, givenId);
    assert.deepEqual(config.routes.map((r) => r.service), [{ id: givenId }, { id: givenId }]);
  });

  it('derives ids from names, so renaming changes them and reordering does not', () => {
    const ids = (names: string[]) => configOf(doc({ services: names.map((name) => ({ name, host: 'h' })) })).services.map((s) => s.id);
    const [a, b] = ids(['a', 'b']);
    assert.deepEqual(ids(['b', 'a']), [b, a]);
    assert.notEqual(ids(['c'])[0], a);
  });

  it('allows a route without a service', () => {
    assert.equal(at(configOf(doc({ routes: [{ paths: ['/'] }] })).routes, 0).service, null);
  });

  it('reports every missing reference with its path', () => {
    const input = doc({
      services: [{ name: 's', host: 'h', routes: [{ name: 'r', paths: ['/'] }] }],
      routes: [{ service: 'x', paths: ['/x'] }, { service: { id: givenId }, paths: ['/y'] }],
      plugins: [{ name: 'prometheus', service: { name: 'nope' }, route: 'r', consumer: 'ghost' }],
    });
    assert.deepEqual(issuesOf(input), [
      'routes[0].service: no service named "x"',
      `routes[1].service: no service with id "${givenId}"`,
      'plugins[0].service: no service named "nope"',
      'plugins[0].consumer: no consumer named "ghost"',
    ]);
  });
});

describe('normalization: uniqueness', () => {
  it('reports duplicate names, usernames, custom ids, keys, targets and plugins per scope', () => {
    const input = doc({
      services: [
        { name: 'a', host: 'h', routes: [{ name: 'r', paths: ['/'] }], plugins: [{ name: 'key-auth' }, { name: 'key-auth' }] },
        { name: 'a', host: 'h' },
      ],
      routes: [{ name: 'r', paths: ['/x'] }],
      upstreams: [{ name: 'u', targets: [{ target: 'h:1' }, { target: 'h:1' }] }, { name: 'u' }],
      consumers: [
        { username: 'bob', custom_id: 'c', keyauth_credentials: [{ key: 'k1' }], basicauth_credentials: [{ username: 'b', password: 'p' }] },
        {
          username: 'bob',
          custom_id: 'c',
          keyauth_credentials: [{ key: 'k1' }],
          jwt_secrets: [{ key: 'j', secret: 's' }, { key: 'j', secret: 't' }],
          basicauth_credentials: [{ username: 'b', password: 'q' }],
          acls: [{ group: 'g' }, { group: 'g' }],
        },
      ],
      plugins: [{ name: 'key-auth', service: 'a' }, { name: 'prometheus' }, { name: 'prometheus', enabled: false }],
    });
    assert.deepEqual(issuesOf(input), [
      'services[0].plugins[1].name: duplicate plugin "key-auth" on the same scope (first at services[0].plugins[0])',
      'services[1].name: duplicate service name "a" (first at services[0])',
      'routes[0].name: duplicate route name "r" (first at services[0].routes[0])',
      'upstreams[0].targets[1].target: duplicate target "h:1" (first at upstreams[0].targets[0])',
      'upstreams[1].name: duplicate upstream name "u" (first at upstreams[0])',
      'consumers[1].username: duplicate consumer username "bob" (first at consumers[0])',
      'consumers[1].custom_id: duplicate consumer custom_id "c" (first at consumers[0])',
      'consumers[1].keyauth_credentials[0].key: duplicate key-auth key (first at consumers[0].keyauth_credentials[0])',
      'consumers[1].jwt_secrets[1].key: duplicate jwt key "j" (first at consumers[1].jwt_secrets[0])',
      'consumers[1].basicauth_credentials[0].username: duplicate basic-auth username "b" (first at consumers[0].basicauth_credentials[0])',
      'consumers[1].acls[1].group: duplicate acl group "g" (first at consumers[1].acls[0])',
      'plugins[0].name: duplicate plugin "key-auth" on the same scope (first at services[0].plugins[0])',
      'plugins[2].name: duplicate plugin "prometheus" on the same scope (first at plugins[1])',
    ]);
  });

  it('allows the same plugin on different scopes', () => {
    const config = configOf(doc({ services: [{ name: 's', host: 'h', plugins: [{ name: 'prometheus' }] }], plugins: [{ name: 'prometheus' }] }));
    assert.notEqual(at(config.plugins, 0).id, at(config.plugins, 1).id);
  });
});
