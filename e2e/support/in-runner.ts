/**
 * Options for a companion started inside the Playwright runner's process.
 * The runner's own work (driving Chromium, screenshots, making pyramids) lags
 * the event loop this companion shares, and the lag check (`maxLoopLagMs`,
 * src/server/loop-lag.ts) would then refuse the test's own new connections
 * with 503s that no client caused. The check is tested where it is the
 * subject: test/server-timeouts.test.ts and src/server/reliability.test.ts.
 */
export const IN_RUNNER = { maxLoopLagMs: Number.POSITIVE_INFINITY } as const;
