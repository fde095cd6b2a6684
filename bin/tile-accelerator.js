#!/usr/bin/env node
// The CLI is TypeScript run in place: register tsx's ESM loader, then load it.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
