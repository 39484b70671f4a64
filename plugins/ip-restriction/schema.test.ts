/** Unit: ip-restriction's config as users see it checked — Kong's rules, each error at its path. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsedPluginConfig, pluginConfigIssues } from '../../test/helpers/plugin-config.js';

describe('ip-restriction config', () => {
  it('takes IPv4 and IPv6 addresses and CIDRs', () => {
    const config = parsedPluginConfig('ip-restriction', { allow: ['10.0.0.0/8', '::1', '2001:db8::/32'], deny: ['10.0.0.1'], status: 401, message: 'no' });
    assert.deepEqual(config.allow, ['10.0.0.0/8', '::1', '2001:db8::/32']);
    assert.equal(config.status, 401);
  });

  it('needs allow or deny, and names each bad entry by its place', () => {
    assert.deepEqual(pluginConfigIssues('ip-restriction', {}), { 'plugins[0].config': 'at least one of allow, deny must be set' });
    assert.deepEqual(pluginConfigIssues('ip-restriction', { allow: [] }), { 'plugins[0].config': 'at least one of allow, deny must be set' });
    assert.deepEqual(pluginConfigIssues('ip-restriction', { allow: ['10.0.0.0/8', 'localhost'], deny: ['10.0.0.0/40'] }), {
      'plugins[0].config.allow[1]': '"localhost" is not an IP address or CIDR',
      'plugins[0].config.deny[0]': '"10.0.0.0/40" has an invalid prefix length (0–32)',
    });
    assert.ok(pluginConfigIssues('ip-restriction', { deny: ['10.0.0.1'], status: 99 })['plugins[0].config.status']);
    assert.ok(pluginConfigIssues('ip-restriction', { deny: ['10.0.0.1'], whitelist: ['10.0.0.1'] })['plugins[0].config.whitelist']);
  });
});
