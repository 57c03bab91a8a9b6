import type { TestClock } from "../test-app.js";

/** A span of time to move the clock by. */
export interface Duration {
  hours?: number;
  minutes?: number;
  seconds?: number;
}

const millisecondsOf = ({ hours = 0, minutes = 0, seconds = 0 }: Duration) => ((hours * 60 + minutes) * 60 + seconds) * 1000;

/**
 * The scenario's time, as the app reads it (ticket numbers, deadlines, "acknowledged at"). It only
 * moves when the scenario says so, except on the terminal: see `startScenario`.
 */
export class ScenarioClock {
  private offsetMs = 0;

  private constructor(private readonly base: () => number) {}

  /** Stands still at `at` until advanced. */
  static at(at: Date): ScenarioClock {
    const ms = at.getTime();
    return new ScenarioClock(() => ms);
  }

  /** Runs with the wall clock, plus what it was advanced by. */
  static wall(): ScenarioClock {
    return new ScenarioClock(() => Date.now());
  }

  now(): Date {
    return new Date(this.base() + this.offsetMs);
  }

  /** Moves time on; nothing fires by itself: call `fireDueDeadlines()` for the timers that came due. */
  advance(by: Duration): Date {
    if (millisecondsOf(by) < 0) throw new Error("the scenario clock only moves forward");
    this.offsetMs += millisecondsOf(by);
    return this.now();
  }

  /** The clock as `startTestApp` takes it. */
  asTestClock(): TestClock {
    const clock = this;
    return {
      get now() {
        return clock.now();
      },
      set now(_value: Date) {
        throw new Error("move the scenario clock with advance()");
      },
    };
  }
}
