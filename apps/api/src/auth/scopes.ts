import type { Scope } from '@flowdeck/types';

/** Each scope includes the ones before it: operate can read, admin can do everything. */
const ORDER: readonly Scope[] = ['read', 'operate', 'admin'];

export function includes(granted: Scope, needed: Scope): boolean {
  return ORDER.indexOf(granted) >= ORDER.indexOf(needed);
}

/** The granted scope and every scope it includes, for people to read (`read, operate`). */
export function scopesOf(granted: Scope): Scope[] {
  return ORDER.slice(0, ORDER.indexOf(granted) + 1);
}

/** What a route needs: a scope, or nothing at all (`public`: health, whoami, the document). */
export type RouteScope = Scope | 'public';
