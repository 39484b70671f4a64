/**
 * The jwt bench scenario's issuer: a JWKS server started in the bench process and one RS256 token,
 * valid for the whole run, that every request reuses.
 */
import { SignJWT } from 'jose';
import { makeSigningKey, startJwksServer } from '../support/jwks-server.js';
import type { ScenarioSetup } from './scenarios.js';

const ISSUER = 'https://issuer.bench';
const JWKS_PATH = '/bench/jwks.json';

export async function startJwtIssuer(): Promise<ScenarioSetup> {
  const key = await makeSigningKey('RS256', 'bench-1');
  const server = await startJwksServer();
  server.sets.set(JWKS_PATH, [key.jwk]);
  const token = await new SignJWT({ sub: 'bench-user', scope: 'bench' })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid })
    .setIssuer(ISSUER)
    .setAudience('bench')
    .setExpirationTime('2h')
    .sign(key.privateKey);
  return {
    replacements: { JWKS_URI: `${server.url}${JWKS_PATH}`, ISSUER },
    headers: { authorization: `Bearer ${token}` },
    close: () => server.close(),
  };
}
