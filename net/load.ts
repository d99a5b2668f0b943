// A node's load, the MOSIX way (as Kerrighed's mosix_probe.c renders it,
// "values taken from MOSIX"): once a second the node takes the mean number
// of runnable tasks over that second and folds it into two smoothed values.
// - The local mean, which this node's balancer weighs its own load by,
//   rises slowly and falls at once: new = (5 old + 3 raw) / 8 when the raw
//   load is higher (MEAN_LOAD_DECAY 5, MEAN_LOAD_NEW_DATA 3), else raw. A
//   burst of short jobs does not make the node shed processes, and a node
//   that emptied knows it at once.
// - The exported value, which goes into the load vector for the others,
//   rises at once and falls slowly: raw when higher, else (7 old + raw) / 8
//   (UPPER_LOAD_DECAY 7, UPPER_LOAD_NEW_DATA 1). Others see a node loaded as
//   soon as it is and idle only once it stays so, which keeps them from all
//   sending it work on one dip.
// Both are then divided by the node's CPU speed (MOSIX's norm_*_load with
// STD_SPD the standard processor): a node twice as fast carrying two
// processes has a load of 1, and one process adds 1/speed to a node.
// Loads are in processes (MOSIX keeps them in hundredths; the load vector
// carries them so).

export const MEAN_LOAD_DECAY = 5;
export const MEAN_LOAD_NEW_DATA = 3;
export const UPPER_LOAD_DECAY = 7;
export const UPPER_LOAD_NEW_DATA = 1;

export class NodeLoad {
  /** The local mean and the exported value, in processes, before the speed. */
  mean = 0;
  upper = 0;
  constructor(readonly speed: number) {}

  /** Fold in one second's mean run-queue length (mp_calc_load). */
  calc_load(raw: number): void {
    this.mean = raw > this.mean ? (this.mean * MEAN_LOAD_DECAY + raw * MEAN_LOAD_NEW_DATA) / (MEAN_LOAD_DECAY + MEAN_LOAD_NEW_DATA) : raw;
    this.upper = raw >= this.upper ? raw : (this.upper * UPPER_LOAD_DECAY + raw * UPPER_LOAD_NEW_DATA) / (UPPER_LOAD_DECAY + UPPER_LOAD_NEW_DATA);
  }

  /** The load this node's balancer uses for itself (norm_mean_load). */
  get local(): number {
    return this.mean / this.speed;
  }

  /** The load it tells the others (norm_upper_load). */
  get exported(): number {
    return this.upper / this.speed;
  }
}
