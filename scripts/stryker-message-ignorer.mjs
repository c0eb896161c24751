// A Stryker ignorer plugin ('messages', stryker.config.mjs): mutants inside text meant for people are left
// out, since no behaviour depends on it: the message argument of `assert(cond, message)`, the value of a
// `message:` property (a checker's verdict text) and of a `description:` property (a planted bug's or a
// checker's one-line description). A verdict's `ok` and an assertion's condition stay mutated.

import { declareValuePlugin, PluginKind } from '@stryker-mutator/api/plugin';

/** True when `path` is the second argument of a call to a function named `assert`. */
function isAssertMessage(path) {
  const parent = path.parentPath;
  return parent?.isCallExpression() === true && parent.node.callee.type === 'Identifier' && parent.node.callee.name === 'assert' && parent.node.arguments[1] === path.node;
}

/** True when `path` is the value of an object property named `name`. */
function isPropertyValue(path, name) {
  const parent = path.parentPath;
  if (parent?.isObjectProperty() !== true || parent.node.value !== path.node) return false;
  const key = parent.node.key;
  return !parent.node.computed && ((key.type === 'Identifier' && key.name === name) || (key.type === 'StringLiteral' && key.value === name));
}

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'messages', {
    shouldIgnore(path) {
      if (isAssertMessage(path)) return 'an assertion message: no behaviour depends on its text';
      if (isPropertyValue(path, 'message')) return "a verdict's message: no behaviour depends on its text";
      if (isPropertyValue(path, 'description')) return 'a description for people: no behaviour depends on its text';
      return undefined;
    },
  }),
];
