import { SingleBar } from 'cli-progress';

/** Whether a stream is a terminal (progress bars, tables) rather than a pipe or a file (plain lines). */
export function isTty(stream: NodeJS.WriteStream = process.stderr): boolean {
  return stream.isTTY === true;
}

/**
 * Writes text, waiting while the stream's buffer is full: a command that prints the whole log
 * must not buffer it in memory when the reader is slower than the database.
 */
export function write(text: string, stream: NodeJS.WritableStream = process.stdout): Promise<void> {
  if (stream.write(text)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      stream.off('error', onError);
      resolve();
    };
    const onError = (error: Error) => {
      stream.off('drain', onDrain);
      reject(error);
    };
    stream.once('drain', onDrain);
    stream.once('error', onError);
  });
}

/** One JSON object on one line (JSON Lines), for exports and `jq`. */
export function printJsonLine(value: unknown, stream: NodeJS.WritableStream = process.stdout): Promise<void> {
  return write(`${JSON.stringify(value)}\n`, stream);
}

/** Counts work done; a bar on a terminal, plain lines when piped. Always on stderr. */
export interface ProgressReporter {
  /** `count` more items done (default 1). */
  tick(count?: number): void;
  /** The total, once known (it may grow). */
  setTotal(total: number): void;
  /** Stops the bar and prints the final count. */
  stop(): void;
}

export interface ProgressOptions {
  /** What is being counted, e.g. `verify log`. */
  readonly label: string;
  /** The number of items expected, when known. */
  readonly total?: number;
  /** What one item is called (plural), e.g. `events`. Default `items`. */
  readonly unit?: string;
  readonly stream?: NodeJS.WriteStream;
  /** The least time between two plain lines. Default one second. */
  readonly lineIntervalMs?: number;
}

/** A progress reporter for `stream` (stderr by default): cli-progress on a TTY, plain lines otherwise. */
export function createProgress(options: ProgressOptions): ProgressReporter {
  const stream = options.stream ?? process.stderr;
  return isTty(stream) ? barProgress(options, stream) : lineProgress(options, stream);
}

/** Items per second since `startedAt`, rounded. */
export function ratePerSecond(count: number, elapsedMs: number): number {
  return elapsedMs <= 0 ? 0 : Math.round((count * 1000) / elapsedMs);
}

/** The plain line: `verify log: 1200/5000 events, 830/s`. */
export function progressLine(label: string, unit: string, done: number, total: number | undefined, elapsedMs: number): string {
  const count = total === undefined ? `${done}` : `${done}/${total}`;
  return `${label}: ${count} ${unit}, ${ratePerSecond(done, elapsedMs)}/s`;
}

function barProgress(options: ProgressOptions, stream: NodeJS.WriteStream): ProgressReporter {
  const unit = options.unit ?? 'items';
  const startedAt = Date.now();
  let done = 0;
  let total = options.total ?? 0;
  // Without a total there is no bar to fill: a running count.
  const format =
    options.total === undefined
      ? `${options.label} {value} ${unit} | {rate}/s | {duration_formatted}`
      : `${options.label} [{bar}] {value}/{total} ${unit} | {rate}/s | {duration_formatted}`;
  const bar = new SingleBar({
    stream,
    format,
    hideCursor: true,
    fps: 10,
  });
  bar.start(total, 0, { rate: 0 });
  return {
    tick(count = 1) {
      done += count;
      if (done > total) {
        total = done;
        bar.setTotal(total);
      }
      bar.update(done, { rate: ratePerSecond(done, Date.now() - startedAt) });
    },
    setTotal(next) {
      total = Math.max(next, done);
      bar.setTotal(total);
    },
    stop() {
      bar.update(done, { rate: ratePerSecond(done, Date.now() - startedAt) });
      bar.stop();
    },
  };
}

function lineProgress(options: ProgressOptions, stream: NodeJS.WriteStream): ProgressReporter {
  const unit = options.unit ?? 'items';
  const interval = options.lineIntervalMs ?? 1000;
  const startedAt = Date.now();
  let lastLineAt = startedAt;
  let done = 0;
  let total = options.total;
  const line = () => stream.write(`${progressLine(options.label, unit, done, total, Date.now() - startedAt)}\n`);
  return {
    tick(count = 1) {
      done += count;
      if (Date.now() - lastLineAt >= interval) {
        lastLineAt = Date.now();
        line();
      }
    },
    setTotal(next) {
      total = next;
    },
    stop() {
      line();
    },
  };
}
