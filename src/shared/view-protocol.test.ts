import { describe, expect, it } from 'vitest';
import { droppedMessage, parsePageMessage, parseWorkerMessage, viewerClosedMessage, viewMessage, type ViewState } from './view-protocol.ts';

const view: ViewState = {
  viewerId: 'v1',
  dataset: 'sample',
  tileUrlPrefix: '/api/tiles/sample/',
  info: { width: 8192, height: 8192, tileSize: 256, overlap: 0, minLevel: 0, maxLevel: 5, format: 'jpg', version: 'v' },
  rect: { x: 0, y: 0, width: 100, height: 100 },
  level: 3,
  settled: true,
  prefetch: true,
};

describe('view protocol', () => {
  it('round-trips every message through structured data', () => {
    for (const message of [viewMessage(view), viewerClosedMessage('v1')]) {
      expect(parsePageMessage(structuredClone(message))).toEqual(message);
    }
    expect(parseWorkerMessage(structuredClone(droppedMessage(['/a'])))).toEqual(droppedMessage(['/a']));
  });

  it('ignores messages of other protocols', () => {
    expect(parsePageMessage({ type: 'stats' })).toBeNull();
    expect(parsePageMessage('hello')).toBeNull();
    expect(parseWorkerMessage(null)).toBeNull();
  });

  it('rejects another version and malformed views with a message that says what to fix', () => {
    expect(() => parsePageMessage({ ...viewMessage(view), version: 2 })).toThrow(/reload the page/);
    expect(() => parsePageMessage(viewMessage({ ...view, level: 9 }))).toThrow(/"view.level"/);
    expect(() => parsePageMessage(viewMessage({ ...view, rect: { ...view.rect, x: Number.NaN } }))).toThrow(/"view.rect"/);
    expect(() => parsePageMessage({ ...viewMessage(view), type: 'nope' })).toThrow(/unknown page message/);
  });
});
