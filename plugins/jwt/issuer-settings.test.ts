/** Unit: issuer and JWKS URI of issuer mode, derived from a Cognito pool or overridden. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { issuerSettings } from './issuer-settings.js';
import { configSchema } from './schema.js';

const cognito = { region: 'eu-west-1', user_pool_id: 'eu-west-1_AbC123', client_ids: ['c1'] };

describe('jwt issuer settings', () => {
  it('derives issuer and JWKS URI from a Cognito user pool', () => {
    const config = configSchema.parse({ cognito, allowed_algorithms: ['RS256'] });
    assert.deepEqual(issuerSettings(config), {
      issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123',
      jwksUri: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123/.well-known/jwks.json',
    });
    assert.equal(config.cognito?.token_use, 'access');
  });

  it('lets an explicit issuer or jwks_uri override the derived one', () => {
    const config = configSchema.parse({ cognito, allowed_algorithms: ['RS256'], jwks_uri: 'http://127.0.0.1:9/jwks', issuer: 'https://local' });
    assert.deepEqual(issuerSettings(config), { issuer: 'https://local', jwksUri: 'http://127.0.0.1:9/jwks' });
  });

  it('is null in consumer mode, and the schema refuses half-configured issuer mode', () => {
    assert.equal(issuerSettings(configSchema.parse({})), null);
    const paths = (input: unknown) => configSchema.safeParse(input).error?.issues.map((issue) => issue.path.join('.'));
    assert.deepEqual(paths({ jwks_uri: 'https://issuer/jwks' }), ['allowed_algorithms', 'issuer']);
    assert.deepEqual(paths({ issuer: 'https://issuer' }), ['issuer']);
    assert.deepEqual(paths({ jwks_uri: 'https://i/j', issuer: 'https://i', allowed_algorithms: ['HS256'] }), ['allowed_algorithms.0']);
    assert.deepEqual(paths({ maximum_expiration: 60 }), ['maximum_expiration']);
  });
});
