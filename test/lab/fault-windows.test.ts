// The shrinker's fault windows: an opening entry and the entry that closes it are removed together, so
// a shrunk schedule never leaves a node slow, failing fast or crashed for ever by losing the closing half.
import { describe, expect, it } from 'vitest';
import { faultWindows } from '../../lab/shrink.js';
import type { FaultEntry } from '../../sim/faults.js';

describe('fault windows', () => {
  it('pairs slow and fail-fast with the entry that ends them on the same node, and leaves others alone', () => {
    const faults: FaultEntry[] = [
      { at: 1, kind: 'fail-fast', node: 'n1', ratio: 1 },
      { at: 2, kind: 'slow', node: 'n2', factor: 10 },
      { at: 3, kind: 'fail-fast', node: 'n3', ratio: 0 },
      { at: 4, kind: 'fail-fast', node: 'n1', ratio: 0 },
      { at: 5, kind: 'slow', node: 'n2', factor: 1 },
    ];
    expect(faultWindows(faults)).toEqual([[faults[0], faults[3]], [faults[1], faults[4]], [faults[2]]]);
  });
});
