// A node's local clock: true virtual time plus an offset (clock-skew) and a rate error in parts per
// million (clock-drift). All arithmetic is on integers; a skew jump never moves timers, drift stretches them.

import type { Micros } from './time.js';

export class LocalClock {
  /** Local reading at `anchorMicros` of true time. */
  private localAtAnchor: Micros = 0;
  private anchorMicros: Micros = 0;
  private driftPpm = 0;

  /** This node's reading of the clock when true virtual time is `trueMicros`. */
  read(trueMicros: Micros): Micros {
    const elapsed = trueMicros - this.anchorMicros;
    return this.localAtAnchor + elapsed + Math.trunc((elapsed * this.driftPpm) / 1_000_000);
  }

  /** Sets the clock so that it reads `offsetMicros` ahead of true time (negative: behind). */
  setOffset(trueMicros: Micros, offsetMicros: Micros): void {
    this.localAtAnchor = trueMicros + offsetMicros;
    this.anchorMicros = trueMicros;
  }

  /** From now on the clock runs `ppm` parts per million fast (negative: slow). */
  setDriftPpm(trueMicros: Micros, ppm: number): void {
    this.localAtAnchor = this.read(trueMicros);
    this.anchorMicros = trueMicros;
    this.driftPpm = ppm;
  }

  /** Current offset from true time, for reports. */
  offsetAt(trueMicros: Micros): Micros {
    return this.read(trueMicros) - trueMicros;
  }

  get ppm(): number {
    return this.driftPpm;
  }

  /** How much true time passes while this clock advances by `localMicros` (at least 1 for a positive span). */
  trueSpan(localMicros: Micros): Micros {
    if (this.driftPpm === 0 || localMicros <= 0) return localMicros;
    return Math.max(1, Math.ceil((localMicros * 1_000_000) / (1_000_000 + this.driftPpm)));
  }
}
