/** A part of the process that holds something open: a server, workers, the database. */
export interface ClosablePart {
  name: string;
  close(): Promise<void>;
}

export interface ShutdownOutcome {
  /** Parts still closing when the time ran out, and those never reached. */
  unclosed: string[];
  failed: { name: string; error: unknown }[];
}

/**
 * Closes the parts phase after phase (the parts of one phase at once), all within `limitMs`: a part
 * that waits for something that is gone (BullMQ for an unreachable Redis waits for minutes) must not
 * keep the process from ending.
 */
export async function closeWithin(phases: ClosablePart[][], limitMs: number): Promise<ShutdownOutcome> {
  const closed = new Set<string>();
  const failed: ShutdownOutcome["failed"] = [];
  const closeAll = async () => {
    for (const phase of phases) {
      await Promise.all(
        phase.map(async (part) => {
          try {
            await part.close();
          } catch (error) {
            failed.push({ name: part.name, error });
          }
          closed.add(part.name);
        }),
      );
    }
  };
  let timer: NodeJS.Timeout | undefined;
  const timeUp = new Promise<void>((resolve) => (timer = setTimeout(resolve, limitMs)));
  await Promise.race([closeAll(), timeUp]);
  clearTimeout(timer);
  const unclosed = phases.flat().flatMap((part) => (closed.has(part.name) ? [] : [part.name]));
  return { unclosed, failed };
}
