import { type APIRequestContext, expect, type Page } from '@playwright/test';
import { TOKENS } from './tokens.ts';

export type Who = keyof typeof TOKENS;

/** Signs in through the sign-in page, as a person pasting their token would. */
export async function signIn(page: Page, who: Who): Promise<void> {
  await page.goto('/flows?flow=example-flow');
  await expect(page.getByRole('heading', { name: 'Sign in to Flowdeck' })).toBeVisible();
  await page.getByLabel('API token').fill(TOKENS[who]);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('region', { name: 'Signed in' })).toContainText(`Signed in as ${who}`);
}

/** The API with a token, for setting up and cleaning up what a test needs. */
export function asUser(request: APIRequestContext, who: Who) {
  const headers = { authorization: `Bearer ${TOKENS[who]}` };
  return {
    get: (path: string) => request.get(path, { headers }),
    post: (path: string, data: unknown = {}) => request.post(path, { headers, data }),
    delete: (path: string) => request.delete(path, { headers }),
  };
}
