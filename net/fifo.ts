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

/**
 * drop_front(a, n) for an array whose first `len` entries are in use, the
 * rest stale: the entries [n, len) move to the front and the array keeps
 * its length (entries from len - n on are stale now). Setting a shorter
 * length, as drop_front does, makes V8 trim the array's store when most of
 * it goes, and a queue that fills again grows it back a step at a time.
 */
export function drop_front_kept<T>(a: T[], n: number, len: number): void {
  const m = len - n;
  for (let i = 0; i < m; i++) a[i] = a[i + n]!;
}

/** drop_front_kept on each of several arrays that run in parallel (a queue's fields). */
export function drop_fronts_kept(arrays: unknown[][], n: number, len: number): void {
  for (const a of arrays) drop_front_kept(a, n, len);
}
