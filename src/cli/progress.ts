/**
 * Upload progress: a cli-progress bar on a terminal (objects done, bytes,
 * rate, ETA), and on a pipe or CI log one plain line at most every few
 * seconds, so logs stay readable and bounded in size.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  start(totalObjects: number, totalBytes: number): void;
  /** One object finished (uploaded, skipped or failed); `bytes` it moved. */
  advance(bytes: number): void;
  stop(): void;
}

const PLAIN_INTERVAL_MS = 5_000;

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

class Meter {
  done = 0;
  total = 0;
  bytes = 0;
  totalBytes = 0;
  private readonly started = Date.now();

  rate(): number {
    const seconds = (Date.now() - this.started) / 1000;
    return seconds > 0 ? this.bytes / seconds : 0;
  }

  eta(): string {
    const seconds = (Date.now() - this.started) / 1000;
    if (this.done === 0 || seconds <= 0) return '?';
    return `${Math.round(((this.total - this.done) * seconds) / this.done)} s`;
  }
}

class BarProgress implements Progress {
  private readonly meter = new Meter();
  private readonly bar: cliProgress.SingleBar;

  constructor(stream: NodeJS.WritableStream) {
    this.bar = new cliProgress.SingleBar(
      {
        stream,
        format: '{bar} {value}/{total} objects | {moved} | {rate}/s | ETA {eta_formatted}',
        hideCursor: true,
        etaBuffer: 200,
      },
      cliProgress.Presets.shades_classic,
    );
  }

  private payload(): { moved: string; rate: string } {
    return { moved: formatBytes(this.meter.bytes), rate: formatBytes(this.meter.rate()) };
  }

  start(totalObjects: number, totalBytes: number): void {
    this.meter.total = totalObjects;
    this.meter.totalBytes = totalBytes;
    this.bar.start(totalObjects, 0, this.payload());
  }

  advance(bytes: number): void {
    this.meter.done++;
    this.meter.bytes += bytes;
    this.bar.update(this.meter.done, this.payload());
  }

  stop(): void {
    this.bar.stop();
  }
}

class LineProgress implements Progress {
  private readonly meter = new Meter();
  private lastLine = 0;

  constructor(private readonly write: (line: string) => void) {}

  private line(): string {
    const m = this.meter;
    return `progress: ${m.done}/${m.total} objects, ${formatBytes(m.bytes)} uploaded, ${formatBytes(m.rate())}/s, ETA ${m.eta()}`;
  }

  start(totalObjects: number, totalBytes: number): void {
    this.meter.total = totalObjects;
    this.meter.totalBytes = totalBytes;
    this.lastLine = Date.now();
    this.write(`progress: ${totalObjects} objects, ${formatBytes(totalBytes)} to check`);
  }

  advance(bytes: number): void {
    this.meter.done++;
    this.meter.bytes += bytes;
    if (Date.now() - this.lastLine >= PLAIN_INTERVAL_MS) {
      this.lastLine = Date.now();
      this.write(this.line());
    }
  }

  stop(): void {
    this.write(this.line());
  }
}

/** A bar when `stream` is a terminal, plain lines otherwise. */
export function createProgress(stream: NodeJS.WriteStream): Progress {
  return stream.isTTY ? new BarProgress(stream) : new LineProgress((line) => stream.write(`${line}\n`));
}

/** For tests and quiet callers. */
export const silentProgress: Progress = { start() {}, advance() {}, stop() {} };
