#!/usr/bin/env node
// Entry point of the `omemu` command: load tsx so the TypeScript sources run
// as they are, then hand over to the command-line parser.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
