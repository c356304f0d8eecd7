/**
 * Asserts that `seconds` is an age that began at or after `sinceMs` (a `Date.now()` the test took
 * before the thing being aged existed): above zero, and no more than the time since then. A plain
 * `>= 0` would pass for a constant 0, or for an age counted from the wrong moment.
 */
export function expectAgeSince(seconds: number | undefined, sinceMs: number, clockSlackSeconds = 0.05): void {
  const ceiling = (Date.now() - sinceMs) / 1000 + clockSlackSeconds;
  if (seconds === undefined || !(seconds > 0) || seconds > ceiling) {
    throw new Error(`expected an age above 0 and at most ${ceiling.toFixed(3)} s (the time since the test began it), got ${seconds}`);
  }
}
