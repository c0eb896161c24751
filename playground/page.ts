// The playground page as one self-contained HTML file: the style sheet, the config (scenario, seed, the
// scenario list) as JSON, and the page script (playground/client.ts with the simulator and every
// algorithm) bundled with esbuild and inlined. Loads nothing from the network; runs from disk.

import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { esc, jsonForScript, scriptText } from '../reports/html-parts.js';
import { CONFIG_ELEMENT_ID, type PlaygroundConfig } from './config.js';
import { PLAYGROUND_CSS } from './styles.js';

let bundled: string | undefined;

/**
 * The page script: playground/client.ts and everything it imports (the simulator, the algorithms, the
 * scenarios, @noble/hashes, canonicalize), bundled and minified once per process. esbuild is loaded on
 * first need, as the HTML reports do.
 */
export function playgroundBundle(): string {
  if (bundled === undefined) {
    const require = createRequire(import.meta.url);
    const { buildSync } = require('esbuild') as typeof import('esbuild');
    const built = buildSync({
      entryPoints: [fileURLToPath(new URL('./client.ts', import.meta.url))], bundle: true, minify: true, format: 'iife', target: 'es2020',
      write: false, platform: 'browser', legalComments: 'eof', charset: 'utf8', logLevel: 'silent',
    });
    bundled = built.outputFiles[0]!.text;
  }
  return bundled;
}

export function renderPlaygroundPage(config: PlaygroundConfig): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>faultline playground: ${esc(config.scenario)} seed ${config.seed}</title>
<style>${PLAYGROUND_CSS}</style>
</head>
<body>
<noscript>The playground runs the simulator in this page: it needs JavaScript.</noscript>
<script id="${CONFIG_ELEMENT_ID}" type="application/json">${jsonForScript(config)}</script>
<script>${scriptText(playgroundBundle())}</script>
</body>
</html>
`;
}
