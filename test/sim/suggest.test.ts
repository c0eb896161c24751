// Did-you-mean suggestions for misspelled names, and the escaping of control characters in error lines.
import { describe, expect, it } from 'vitest';
import { errorLine, escapeControlChars } from '../../sim/errors.js';
import { closestNames, suggestionOrKnown } from '../../sim/suggest.js';

const SCENARIOS = ['raft-chaos', 'raft-crashes', 'raft-lossy', 'paxos-chaos', 'paxos-dueling', 'raft-leader-crash', 'paxos-leader-crash'];

describe('closestNames', () => {
  it('finds a typo, the closest first', () => {
    expect(closestNames('raft-chas', SCENARIOS)).toEqual(['raft-chaos']);
    expect(closestNames('RAFT-LOSY', SCENARIOS)).toEqual(['raft-lossy']);
    expect(closestNames('leader-crash', SCENARIOS)).toEqual(['raft-leader-crash', 'paxos-leader-crash']);
    expect(closestNames('paxos-duel', SCENARIOS)).toEqual(['paxos-dueling']);
  });

  it('offers nothing when nothing is close, or too much matches', () => {
    expect(closestNames('zzz', SCENARIOS)).toEqual([]);
    expect(closestNames('raft', SCENARIOS)).toEqual([]);
  });

  it('words the tail of a message', () => {
    expect(suggestionOrKnown('raft/no-dedpu', ['raft/no-dedup', 'raft/stale-read'])).toBe('did you mean raft/no-dedup?');
    expect(suggestionOrKnown('xyz', ['a1', 'b2'])).toBe('known: a1, b2');
    expect(suggestionOrKnown('ab1', ['ab2', 'ab3'])).toBe('did you mean ab2 or ab3?');
  });
});

describe('escapeControlChars', () => {
  it('writes control characters out, and leaves printable text alone', () => {
    expect(escapeControlChars('\u001b[2J')).toBe('\\x1b[2J');
    expect(escapeControlChars('a\nb\tc\rd\u0000\u007f\u009b')).toBe('a\\nb\\tc\\rd\\x00\\x7f\\x9b');
    expect(escapeControlChars('\u202eevil\u2028')).toBe('\\u202eevil\\u2028');
    expect(escapeControlChars('n1 → n2 · 1.5s µs ⌊n/2⌋ ü')).toBe('n1 → n2 · 1.5s µs ⌊n/2⌋ ü');
  });

  it('errorLine is one line', () => {
    expect(errorLine('bad\nvalue')).toBe('faultline: bad\\nvalue\n');
  });
});
