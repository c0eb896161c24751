#!/usr/bin/env node
// The faultline command: registers the TypeScript loader, then hands over to bin/cli.ts.
import { register } from 'tsx/esm/api';

register();
await import('./cli.ts');
