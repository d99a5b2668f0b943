// Units of virtual time. Virtual time is an integer count of nanoseconds.
export const NS_PER_US = 1_000;
export const NS_PER_MS = 1_000_000;
export const NS_PER_S = 1_000_000_000;

export const ns_to_s = (t_ns: number): number => t_ns / NS_PER_S;
export const s_to_ns = (t_s: number): number => Math.round(t_s * NS_PER_S);
