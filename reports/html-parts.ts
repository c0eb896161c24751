// What both self-contained HTML pages (a run's report, an experiment's) build their text from: the
// browser code bundled with esbuild (once per process and entry), text safe inside an inline <script>,
// HTML escaping and locale-free digit grouping. Pure string work; esbuild is loaded on first need only.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const bundles = new Map<string, string>();

/**
 * The browser code of `entry` (a file of reports/, with the d3 modules it imports), bundled and minified,
 * d3's licence in front naming `d3Modules`; built once per process. Loaded on first need: importing
 * esbuild would cost every CLI start-up about 0.3 s.
 */
export function clientBundle(entry: string, d3Modules: string): string {
  let bundle = bundles.get(entry);
  if (bundle === undefined) {
    const require = createRequire(import.meta.url);
    const { buildSync } = require('esbuild') as typeof import('esbuild');
    const built = buildSync({
      entryPoints: [fileURLToPath(new URL(`./${entry}`, import.meta.url))], bundle: true, minify: true, format: 'iife', target: 'es2020', write: false,
      legalComments: 'none', charset: 'utf8', logLevel: 'silent',
    });
    const license = readFileSync(require.resolve('d3-selection').replace(/src[\\/]index\.js$/, 'LICENSE'), 'utf8');
    bundle = `/*! Includes d3 modules (${d3Modules} and their dependencies):\n${license.trim()}\n*/\n${built.outputFiles[0]!.text}`;
    bundles.set(entry, bundle);
  }
  return bundle;
}

/** JSON that cannot end its <script> element or open a comment in it. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Script text that cannot end its <script> element or open a comment in it. */
export function scriptText(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** Text as HTML (element content or a quoted attribute). */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** 12345 → "12,345" without depending on the runtime's locale data. */
export function group(n: number): string {
  if (!Number.isInteger(n)) return String(n);
  const sign = n < 0 ? '-' : '';
  return sign + String(Math.abs(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * The lines that open every self-contained page, up to and including `<body>`: UTF-8, a viewport, a
 * Content-Security-Policy that lets the page run only its own inline script and style and load nothing,
 * the title (escaped here) and the inline style sheet.
 */
export function pageHead(title: string, css: string): string[] {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">`,
    `<title>${esc(title)}</title>`,
    `<style>${css}</style>`,
    '</head>',
    '<body>',
  ];
}
