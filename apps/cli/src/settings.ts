/** Where the API is and the token, from `--url`/`--token` or the environment; flags win. */
export interface Settings {
  url: string;
  token: string | undefined;
}

export const DEFAULT_URL = 'http://127.0.0.1:3000';

export function settingsFrom(
  options: { url?: string | undefined; token?: string | undefined },
  env: Record<string, string | undefined>,
): Settings {
  const token = options.token ?? env.FLOWDECK_TOKEN;
  return { url: options.url ?? env.FLOWDECK_URL ?? DEFAULT_URL, token: token === '' ? undefined : token };
}
