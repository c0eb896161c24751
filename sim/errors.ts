// Errors in what a user handed us (a flag, a fault file, a parameter). The CLI prints the message
// as one line and exits 2; the message must name the bad value and say what was expected.

export class InputError extends Error {
  override name = 'InputError';
}
