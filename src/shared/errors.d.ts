/**
 * One error type for the whole project. Every failure that reaches a user is a
 * TileError with a code; each code has one HTTP status, so the server, the
 * worker and the CLI speak the same language and a client can branch on `code`.
 */
export declare const ERROR_STATUS: {
    readonly BAD_TILE_KEY: 400;
    readonly BAD_REQUEST: 400;
    readonly TOO_MANY_TILES: 400;
    readonly UNAUTHORIZED: 401;
    readonly FORBIDDEN: 403;
    readonly NOT_FOUND: 404;
    readonly PAYLOAD_TOO_LARGE: 413;
    readonly UPSTREAM_ERROR: 502;
    readonly UPSTREAM_TIMEOUT: 504;
    readonly INTERNAL: 500;
};
export type ErrorCode = keyof typeof ERROR_STATUS;
export interface ErrorBody {
    error: {
        code: ErrorCode;
        message: string;
    };
}
export declare class TileError extends Error {
    readonly code: ErrorCode;
    readonly name = "TileError";
    constructor(code: ErrorCode, message: string, options?: {
        cause?: unknown;
    });
    get status(): (typeof ERROR_STATUS)[ErrorCode];
    toJSON(): ErrorBody;
}
export declare function isTileError(value: unknown): value is TileError;
