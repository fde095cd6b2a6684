/**
 * One error type for the whole project. Every failure that reaches a user is a
 * TileError with a code; each code has one HTTP status, so the server, the
 * worker and the CLI speak the same language and a client can branch on `code`.
 */
export const ERROR_STATUS = {
  BAD_TILE_KEY: 400,
  BAD_REQUEST: 400,
  TOO_MANY_TILES: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  /** An offline region that cannot fit in the storage left (the numbers travel with it). */
  INSUFFICIENT_STORAGE: 507,
  UPSTREAM_ERROR: 502,
  /** A pyramid descriptor (DZI, IIIF info.json, ImageProperties.xml, info.json) that cannot be read: fix the file. */
  BAD_DESCRIPTOR: 502,
  UPSTREAM_TIMEOUT: 504,
  /** The store is failing and the circuit breaker is open: only cached tiles are served for now. */
  UPSTREAM_UNAVAILABLE: 503,
  /** Too many requests or upstream reads at once: retry after the Retry-After seconds. */
  OVERLOADED: 503,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

export class TileError extends Error {
  override readonly name = 'TileError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get status(): (typeof ERROR_STATUS)[ErrorCode] {
    return ERROR_STATUS[this.code];
  }

  toJSON(): ErrorBody {
    return { error: { code: this.code, message: this.message } };
  }
}

export function isTileError(value: unknown): value is TileError {
  return value instanceof TileError;
}
