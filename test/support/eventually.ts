/**
 * Polls `probe` until it returns something truthy and returns that; after `timeoutMs` throws,
 * with `describe()` (e.g. the calls a fake server saw) in the message.
 */
export async function eventually<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, describe: () => string, timeoutMs = 5_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms; calls:\n${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
