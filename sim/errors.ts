// Errors in what a user handed us (a flag, a fault file, a parameter). The CLI prints the message
// as one line and exits 2; the message must name the bad value and say what was expected.

export class InputError extends Error {
  override name = 'InputError';
}

/**
 * Control characters a message may carry from the user's input (a file's field, an argument), which a
 * terminal would obey: C0 controls, DEL, C1 controls, line and paragraph separators, and the bidi
 * overrides that can make text read differently from what it is.
 */
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * `text` with every control character written out as an escape (`\n`, `\t`, `\x1b`, `\u202e`), so a
 * message quoting hostile input stays one printable line: ESC[2J prints as `\x1b[2J` and clears nothing.
 */
export function escapeControlChars(text: string): string {
  return text.replace(CONTROL_CHARS, (c) => {
    const code = c.charCodeAt(0);
    return NAMED_ESCAPES[c] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
  });
}

/** The one line every error is printed as: `faultline: MESSAGE` with control characters escaped. */
export function errorLine(message: string): string {
  return `faultline: ${escapeControlChars(message)}\n`;
}
