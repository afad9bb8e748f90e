import type { Command } from '../command.ts';
import { EXIT } from '../exit-codes.ts';

export const whoami: Command = {
  words: ['whoami'],
  args: [],
  summary: 'Show whether the API needs a token, and whose the given token is',
  async run({ client, json, output }) {
    const me = await client.auth.whoami();
    if (me.tokenError) {
      output.err(`error: ${me.tokenError}\nhint: pass a valid token with --token or FLOWDECK_TOKEN`);
      if (json) output.out(JSON.stringify(me, null, 2));
      return EXIT.unauthorized;
    }
    if (json) output.out(JSON.stringify(me, null, 2));
    else if (!me.authRequired) output.out('This API needs no token (it listens on loopback only).');
    else if (me.name === null) output.out('Not signed in: pass a token with --token or FLOWDECK_TOKEN.');
    else output.out(`${me.name} (scopes: ${me.scopes.join(', ')})`);
    return EXIT.ok;
  },
};
