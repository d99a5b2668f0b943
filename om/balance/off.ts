// --balancer off: no balancer; every process runs where it started.
import type { BalancerPolicy } from './node.ts';

export const off: BalancerPolicy = { name: 'off', tick: () => {} };
