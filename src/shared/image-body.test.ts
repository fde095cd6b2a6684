import { describe, expect, it } from 'vitest';
import { checkImageBody, imageFormatOfType, isImageBody, sniffImageFormat } from './image-body.ts';
import { imageEnvelope } from './testing/image-envelope.ts';

const payload = new Uint8Array(50).map((_, i) => (i * 37) % 256);
const jpeg = imageEnvelope('jpeg', payload);
const png = imageEnvelope('png', payload);
const webp = imageEnvelope('webp', payload);
const gif = imageEnvelope('gif', payload);
const html = new TextEncoder().encode('<!DOCTYPE html><html><body>503 Service Unavailable</body></html>');

describe('image body check', () => {
  it('accepts each format served as its own type, with or without a declared length', () => {
    expect(checkImageBody(jpeg, { contentType: 'image/jpeg' })).toEqual({ ok: true, format: 'jpeg' });
    expect(checkImageBody(png, { contentType: 'image/png', declaredLength: png.length })).toEqual({ ok: true, format: 'png' });
    expect(checkImageBody(webp, { contentType: 'image/webp; charset=binary' })).toEqual({ ok: true, format: 'webp' });
    expect(checkImageBody(gif, { contentType: 'IMAGE/GIF', declaredLength: null })).toEqual({ ok: true, format: 'gif' });
  });

  it('refuses an HTML error page and an empty body', () => {
    const verdict = checkImageBody(html, { contentType: 'image/jpeg' });
    expect(verdict).toMatchObject({ ok: false });
    expect(!verdict.ok && verdict.reason).toContain('not an image');
    expect(!verdict.ok && verdict.reason).toContain('<!DOCTYPE');
    expect(checkImageBody(new Uint8Array(0), { contentType: 'image/jpeg' })).toEqual({ ok: false, reason: 'the body is empty' });
  });

  it('refuses an image of another type than it would be served as, and a non-image type', () => {
    expect(isImageBody(png, { contentType: 'image/jpeg' })).toBe(false);
    expect(isImageBody(jpeg, { contentType: 'text/html' })).toBe(false);
  });

  it('refuses a body shorter than declared, and one cut short with nothing declared', () => {
    expect(checkImageBody(jpeg, { contentType: 'image/jpeg', declaredLength: jpeg.length + 1 })).toMatchObject({ ok: false });
    for (const [bytes, type] of [[jpeg, 'image/jpeg'], [png, 'image/png'], [webp, 'image/webp'], [gif, 'image/gif']] as const) {
      expect(isImageBody(bytes.subarray(0, bytes.length - 3), { contentType: type })).toBe(false);
    }
  });

  it('sniffs magic bytes only', () => {
    expect(sniffImageFormat(new Uint8Array([0xff, 0xd8]))).toBeNull();
    expect(sniffImageFormat(jpeg.subarray(0, 3))).toBe('jpeg');
    expect(imageFormatOfType('application/octet-stream')).toBeNull();
  });
});
