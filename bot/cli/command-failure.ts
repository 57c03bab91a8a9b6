/**
 * A command that could not do its work, for a reason it says in a sentence (a row that would not
 * copy): printed as is, without a stack, exit code 1.
 */
export class CommandFailure extends Error {
  override readonly name = "CommandFailure";
}
