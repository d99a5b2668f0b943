// Arrays used as queues with a moving head: the consumed front is dropped
// in place once it is most of the array, so a long transfer neither grows
// the array forever nor allocates a copy of what it drops (as splice does).

/**
 * Drop the first n elements of a, in place: a.copyWithin(0, n) and a
 * shorter length, the obvious version, written as a loop because V8's
 * copyWithin on a plain array is about ten times slower (a long bulk
 * transfer compacts its queues every few hundred frames).
 */
export function drop_front<T>(a: T[], n: number): void {
  const m = a.length - n;
  for (let i = 0; i < m; i++) a[i] = a[i + n]!;
  a.length = m;
}
