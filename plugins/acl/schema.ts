/** Config of the acl plugin (Kong's option names and defaults): exactly one of allow or deny. */
import { z } from 'zod';

const groups = (what: string) => z.array(z.string().min(1)).min(1).optional().describe(what);

export const configSchema = z.lazy(() =>
  z
    .strictObject({
      allow: groups('Groups allowed to use the service; consumers in none of them get 403.'),
      deny: groups('Groups refused; consumers in any of them get 403.'),
      hide_groups_header: z
        .boolean()
        .default(false)
        .describe('Do not send the consumer\'s groups upstream in X-Consumer-Groups.'),
      include_consumer_groups: z
        .boolean()
        .default(false)
        .describe('Accepted for Kong compatibility; Gatehouse has no consumer-group entities, so only ACL groups count.'),
    })
    .superRefine((config, ctx) => {
      if (config.allow === undefined && config.deny === undefined) ctx.addIssue({ code: 'custom', path: [], message: 'at least one of these fields must be non-empty: allow, deny' });
      if (config.allow !== undefined && config.deny !== undefined) ctx.addIssue({ code: 'custom', path: [], message: 'only one of these fields can be set: allow, deny' });
    }),
);

export type AclConfig = z.output<typeof configSchema>;
