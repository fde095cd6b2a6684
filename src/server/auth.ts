/**
 * One token check for every tile endpoint, so batch can never be weaker than
 * single: with AUTH_TOKEN set, a request needs `Authorization: Bearer <token>`
 * or the `tile_token` cookie (what a page's service worker sends by itself).
 * ADMIN_TOKEN, when set, is also accepted everywhere and is the only token
 * that may clear caches.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { TileError } from '../shared/errors.ts';

export const AUTH_COOKIE = 'tile_token';

export interface AuthOptions {
  authToken?: string | undefined;
  adminToken?: string | undefined;
}

export function presentedToken(c: Context): string | null {
  const header = c.req.header('Authorization');
  if (header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match ? match[1]! : null;
  }
  const cookies = c.req.header('Cookie') ?? '';
  for (const part of cookies.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === AUTH_COOKIE) return decodeCookie(part.slice(eq + 1).trim());
  }
  return null;
}

/** A malformed %-escape is the client's problem: compare it raw (it will not match), never throw a 500. */
function decodeCookie(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Compares in time independent of where the strings differ. */
export function sameToken(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) diff |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0);
  return diff === 0;
}

function check(c: Context, accepted: string[], what: string): void {
  const token = presentedToken(c);
  if (token === null) {
    throw new TileError('UNAUTHORIZED', `${what} needs a token: send "Authorization: Bearer <token>" or the ${AUTH_COOKIE} cookie.`);
  }
  if (!accepted.some((t) => sameToken(token, t))) throw new TileError('FORBIDDEN', `The token sent is not valid for ${what.toLowerCase()}.`);
}

/** Guards every `/api/tiles/*` endpoint when AUTH_TOKEN is set. */
export function requireTileToken(options: AuthOptions): MiddlewareHandler {
  const accepted = [options.authToken, options.adminToken].filter((t): t is string => Boolean(t));
  return async (c, next) => {
    if (options.authToken) check(c, accepted, 'This tile endpoint');
    await next();
  };
}

/** Admin actions: the admin token when one is set, else whatever guards tiles. */
export function requireAdmin(c: Context, options: AuthOptions): void {
  if (options.adminToken) check(c, [options.adminToken], 'Clearing the cache');
}
