/**
 * One token check for every tile endpoint, so batch can never be weaker than
 * single: with AUTH_TOKEN set, a request needs `Authorization: Bearer <token>`
 * or the `tile_token` cookie (what a page's service worker sends by itself).
 * ADMIN_TOKEN, when set, is also accepted everywhere and is the only token
 * that may clear caches. Tokens are compared as SHA-256 digests (WebCrypto,
 * so this runs on Workers too) with a constant-time compare: neither where
 * they differ nor how long the real token is shows in the timing.
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

async function digest(token: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token)));
}

/** Equal-length digests compared without an early exit (the role of Node's timingSafeEqual). */
export function equalDigests(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i += 1) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Whether two tokens are equal, in time independent of their contents and lengths. */
export async function sameToken(a: string, b: string): Promise<boolean> {
  const [da, db] = await Promise.all([digest(a), digest(b)]);
  return equalDigests(da, db);
}

async function check(c: Context, accepted: string[], what: string): Promise<void> {
  const token = presentedToken(c);
  if (token === null) {
    throw new TileError('UNAUTHORIZED', `${what} needs a token: send "Authorization: Bearer <token>" or the ${AUTH_COOKIE} cookie.`);
  }
  const presented = await digest(token);
  const digests = await Promise.all(accepted.map(digest));
  // Every accepted token is compared, so which one matched does not show either.
  let ok = false;
  for (const d of digests) ok = equalDigests(presented, d) || ok;
  if (!ok) throw new TileError('FORBIDDEN', `The token sent is not valid for ${what.toLowerCase()}.`);
}

/** Guards every `/api/tiles/*` endpoint when AUTH_TOKEN is set. */
export function requireTileToken(options: AuthOptions): MiddlewareHandler {
  const accepted = [options.authToken, options.adminToken].filter((t): t is string => Boolean(t));
  return async (c, next) => {
    if (options.authToken) await check(c, accepted, 'This tile endpoint');
    await next();
  };
}

/** Admin actions: the admin token when one is set, else whatever guards tiles. */
export async function requireAdmin(c: Context, options: AuthOptions): Promise<void> {
  if (options.adminToken) await check(c, [options.adminToken], 'Clearing the cache');
}
