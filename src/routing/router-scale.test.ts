import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { it } from 'node:test';
import type { RouteEntity } from '../config/types.js';
import { route } from '../../test/helpers/routes.js';
import { compileRouter } from './router.js';

const COUNT = 10_000;

/** A realistic mix: mostly host-less prefixes, then exact hosts, wildcard hosts and a few regexes. */
function table(): RouteEntity[] {
  const routes: RouteEntity[] = [];
  for (let i = 0; i < COUNT; i++) {
    const id = `r${i}`;
    const slot = i % 10;
    if (slot === 0) routes.push(route(id, { hosts: [`h${i}.example.com`], paths: ['/'] }));
    else if (slot === 1) routes.push(route(id, { hosts: [`*.t${i}.example.net`], paths: [`/w${i}`] }));
    else if (slot === 2) routes.push(route(id, { paths: [`/post${i}/items/`], methods: ['POST'] }));
    else if (i % 100 === 3) routes.push(route(id, { paths: [`~/re${i}/(?<n>\\d+)$`] }));
    else routes.push(route(id, { paths: [`/svc${i}`, `/alias/${i}/`] }));
  }
  return routes;
}

it(`compiles ${COUNT} routes and matches at the start, middle and end of the table`, () => {
  const routes = table();
  const started = performance.now();
  const router = compileRouter(routes);
  console.log(`compiled ${COUNT} routes in ${(performance.now() - started).toFixed(1)} ms`);

  const id = (method: string, host: string, path: string) => router.match(method, host, path, {})?.route.id ?? null;
  for (const i of [4, 5004, 9999]) {
    assert.equal(id('GET', 'any.org', `/svc${i}/x`), `r${i}`);
    assert.equal(id('GET', 'any.org', `/alias/${i}/y`), `r${i}`);
  }
  for (const i of [0, 5000, 9990]) assert.equal(id('GET', `h${i}.example.com`, `/svc4`), `r${i}`);
  for (const i of [1, 5001, 9991]) {
    assert.equal(id('GET', `a.b.t${i}.example.net`, `/w${i}/z`), `r${i}`);
    assert.equal(id('GET', `a.b.t${i}.example.net`, `/nope`), null);
  }
  for (const i of [2, 5002, 9992]) {
    assert.equal(id('POST', 'any.org', `/post${i}/items/1`), `r${i}`);
    assert.equal(id('GET', 'any.org', `/post${i}/items/1`), null);
  }
  for (const i of [3, 5003, 9903]) {
    const m = router.match('GET', 'any.org', `/re${i}/12`, {});
    assert.equal(m?.route.id, `r${i}`);
    assert.equal(m?.captures.n, '12');
  }
  // /svc1 is a prefix of /svc10..., so the longest stored prefix must win, not the first declared.
  assert.equal(id('GET', 'any.org', '/svc9999'), 'r9999');
  assert.equal(id('GET', 'any.org', '/svc99'), 'r99');
  assert.equal(id('GET', 'any.org', '/unknown'), null);
});
