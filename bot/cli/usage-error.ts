/** A mistake in what the user gave the CLI: printed as is, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
