/** How long a scenario waits for the bot by default: far above what an answer takes, below vitest's limit. */
export const DEFAULT_WAIT_MS = 10_000;
const POLL_MS = 15;

/**
 * Polls `probe` until it gives a value and returns it. After `timeoutMs` it throws, saying what was
 * awaited and what had arrived (`arrived()`, read at that moment), so a failing scenario explains itself.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  arrived: () => Promise<string> | string,
  timeoutMs = DEFAULT_WAIT_MS,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; what arrived:\n${await arrived()}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
