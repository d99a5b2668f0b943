// Worker entry: Node 20 does not load .ts worker scripts, so register tsx
// here and then load the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
