/**
 * Plugin processes run without V8's mid-tier optimising compiler, Maglev. With it, V8 optimises
 * far more functions (Maglev's threshold is lower than TurboFan's) and keeps both compilers'
 * code, their compile zones (malloc, on V8's background threads) and Maglev's own pages of the
 * `node` binary resident. A plugin's peak RSS under the bench's plugin traffic fell by 5–20 MB
 * without it (alert 94–110 → 88–90 MB, mail 101–104 → 92–93, Slack 106–113 → 103–105, Teams
 * 100–102 → 94–95; `BENCH_PHASES=memory` and `latency,memory`, test/bench/README.md "Eighth
 * session"). Hot code is still optimised, by TurboFan, a little later. `startPluginMain` and
 * `runPluginProcess` call it unless given `maglev: true`; the webhooks plugin, on the hot path
 * of the latency and sustained figures, keeps Maglev (it spent 5–25 % more CPU per event at
 * 500/s without it).
 *
 * V8 reads the flag whenever it decides to tier a function up, so setting it at run time, before
 * the traffic, is the same as `node --no-maglev` (which `NODE_OPTIONS` refuses), except that a
 * Maglev compilation already running on a background thread when it is called (loading the SDK
 * runs enough code to start a few) still completes.
 */
import { setFlagsFromString } from 'node:v8';

/** Turns Maglev off for the rest of this process (idempotent). */
export function useLeanJit(): void {
  setFlagsFromString('--no-maglev');
}
