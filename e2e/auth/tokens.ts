/** The tokens of the second stack, one per scope, as FLOWDECK_TOKENS takes them. */
export const TOKENS = {
  reader: 'e2e-reader-token-0123456789',
  operator: 'e2e-operator-token-0123456789',
  admin: 'e2e-admin-token-0123456789',
} as const;

export const FLOWDECK_TOKENS = Object.entries(TOKENS)
  .map(
    ([name, token]) =>
      `${name}:${name === 'reader' ? 'read' : name === 'operator' ? 'operate' : 'admin'}:${token}`,
  )
  .join(',');
