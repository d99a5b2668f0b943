// Arrays used as queues with a moving head: the consumed front is dropped
// in place once it is most of the array, so a long transfer neither grows
// the array forever nor allocates a copy of what it drops (as splice does).

/** Drop the first n elements of a, in place. */
export function drop_front<T>(a: T[], n: number): void {
  a.copyWithin(0, n);
  a.length -= n;
}
