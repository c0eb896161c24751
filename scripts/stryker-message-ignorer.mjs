// A Stryker ignorer plugin ('messages', stryker.config.mjs): mutants inside the text of a message are left
// out, since no behaviour depends on it: the message argument of `assert(cond, message)` and the value of
// a `message:` property (a checker's verdict text). A verdict's `ok` and an assertion's condition stay mutated.

import { declareValuePlugin, PluginKind } from '@stryker-mutator/api/plugin';

/** True when `path` is the second argument of a call to a function named `assert`. */
function isAssertMessage(path) {
  const parent = path.parentPath;
  return parent?.isCallExpression() === true && parent.node.callee.type === 'Identifier' && parent.node.callee.name === 'assert' && parent.node.arguments[1] === path.node;
}

/** True when `path` is the value of an object property named `message`. */
function isMessageProperty(path) {
  const parent = path.parentPath;
  if (parent?.isObjectProperty() !== true || parent.node.value !== path.node) return false;
  const key = parent.node.key;
  return !parent.node.computed && ((key.type === 'Identifier' && key.name === 'message') || (key.type === 'StringLiteral' && key.value === 'message'));
}

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'messages', {
    shouldIgnore(path) {
      if (isAssertMessage(path)) return 'an assertion message: no behaviour depends on its text';
      if (isMessageProperty(path)) return "a verdict's message: no behaviour depends on its text";
      return undefined;
    },
  }),
];
