import type { ApiKeyList, CreatedApiKey, RevokedApiKey } from '@frontline/contracts';
import { Command } from 'commander';
import { commandContext } from '../context.js';
import { table } from '../format.js';

/** `frontline keys create | list | revoke` (an admin key is needed). */
export function keysCommand(): Command {
  const keys = new Command('keys').description(
    "manage API keys (a tenant admin: its own tenant's; an operator: all)",
  );
  keys
    .command('create')
    .description('create an API key; its token is printed once')
    .requiredOption('--tenant <tenant>', 'tenant the key belongs to (lowercase letters, digits, - or _)')
    .requiredOption('--role <role>', 'read | submit | admin | operator (operator keys: operators only)')
    .option('--name <name>', 'a label to recognise the key by')
    .action(async (options: { tenant: string; role: string; name?: string }, command: Command) => {
      const ctx = commandContext(command);
      const created = await ctx.client.post<CreatedApiKey>('/v1/keys', options);
      if (ctx.json) return ctx.printJson(created);
      ctx.print(`created ${created.role} key ${created.id} for tenant ${created.tenantId}`);
      ctx.print(`token (shown only now; store it safely): ${created.token}`);
    });
  keys
    .command('list')
    .description('list API keys (ids, tenants, roles; never tokens)')
    .action(async (_options, command: Command) => {
      const ctx = commandContext(command);
      const { items } = await ctx.client.get<ApiKeyList>('/v1/keys');
      if (ctx.json) return ctx.printJson(items);
      ctx.print(
        table(
          ['id', 'tenant', 'role', 'name', 'created', 'revoked'],
          items.map((k) => [k.id, k.tenantId, k.role, k.name, k.createdAt, k.revokedAt ?? '']),
        ),
      );
    });
  keys
    .command('revoke')
    .description('revoke an API key at once')
    .argument('<id>', 'key id (the 16 hex digits after fl_)')
    .action(async (id: string, _options, command: Command) => {
      const ctx = commandContext(command);
      const result = await ctx.client.post<RevokedApiKey>(`/v1/keys/${encodeURIComponent(id)}/revoke`);
      if (ctx.json) return ctx.printJson(result);
      ctx.print(`revoked key ${result.id}`);
    });
  return keys;
}
