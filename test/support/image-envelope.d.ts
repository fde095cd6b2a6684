/**
 * Wraps arbitrary bytes in the start and end markers of an image format, so
 * test tiles pass the companion's body check (src/shared/image-body.ts) while
 * staying distinct per tile. Nothing decodes them: only the envelope is real.
 */
import type { ImageFormat } from '../../src/shared/image-body.ts';
export declare function formatOfExtension(ext: string): ImageFormat;
/** `payload` between the format's head and tail; the result is `payload.length` plus the envelope. */
export declare function imageEnvelope(format: ImageFormat, payload: Uint8Array): Uint8Array<ArrayBuffer>;
