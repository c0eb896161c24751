// Types of bin/compiled.js (plain JavaScript, so that the CLI's launcher needs no loader).

/** Whether dist/ exists and no source of the tree at `root` (a file URL ending in '/') is newer than its build. */
export function compiledIsCurrent(root: URL): boolean;
