/**
 * Unit: the AWS SDK parts load only when a config uses aws-lambda — the signer with the plugin's
 * module, the credential chain at the first call that needs it — never with the bundled listing.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { bundledPlugins } from '../index.js';

/** The SDK packages are CommonJS: once imported they are in the CommonJS module cache. */
const loaded = (name: string) => Object.keys(createRequire(import.meta.url).cache).some((path) => path.includes(`/node_modules/${name}/`));

describe('aws-lambda loading', () => {
  it('loads the SDK signer with the plugin module, the credential chain only when a config has no keys', async () => {
    assert.ok(bundledPlugins.some((plugin) => plugin.name === 'aws-lambda'));
    assert.equal(loaded('@smithy/signature-v4'), false);
    const plugin = await bundledPlugins.find((listed) => listed.name === 'aws-lambda')!.load();
    assert.equal(loaded('@smithy/signature-v4'), true);
    assert.equal(loaded('@aws-sdk/credential-provider-node'), false);
    const { credentialsFor } = await import('./credentials.js');
    const config = plugin.configSchema.parse({ function_name: 'f', aws_region: 'eu-west-1' }) as Parameters<typeof credentialsFor>[0];
    process.env.AWS_ACCESS_KEY_ID = 'AKIDLAZY';
    process.env.AWS_SECRET_ACCESS_KEY = 'lazy-secret';
    const provider = credentialsFor(config);
    assert.equal(loaded('@aws-sdk/credential-provider-node'), false);
    assert.equal((await provider()).accessKeyId, 'AKIDLAZY');
    assert.equal(loaded('@aws-sdk/credential-provider-node'), true);
  });
});
