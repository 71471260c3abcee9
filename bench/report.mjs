// Joins the raw results of bench/run_bench.sh into one table and one JSON file.
//   node bench/report.mjs RAW_DIR OUT.json TYPE...
// For each weight type: prefill and decode tokens/s of both engines, the ratio
// greenroute / llama.cpp, peak resident memory, and the bandwidth bound on
// decode: weight bytes streamed per step / measured read bandwidth.
import fs from "node:fs";
import path from "node:path";
import os from "node:os";

const [rawDir, outPath, ...types] = process.argv.slice(2);
const read = (name) => JSON.parse(fs.readFileSync(path.join(rawDir, name), "utf8"));
const membw = read("membw.json");
const bandwidth = membw.read_gb_per_s * 1e9;

const fmt = (v, digits = 1) => (v == null || !Number.isFinite(v) ? "-" : v.toFixed(digits));
const rows = [];
const out = {
  machine: {cpu: os.cpus()[0]?.model ?? "unknown", cores: os.cpus().length, memory_bytes: os.totalmem()},
  bandwidth_gb_per_s: membw.read_gb_per_s,
  bandwidth_threads: membw.threads,
  types: {},
};
for (const type of types) {
  const ours = read(`greenroute-${type}.json`);
  const ref = read(`llama.cpp-${type}.json`);
  const bytesPerStep = ours.weight_bytes_per_step;
  const bound = bandwidth / bytesPerStep;  // decode steps/s if only weight reads mattered
  const entry = {model: ours.model, threads: ours.threads, weight_bytes_per_step: bytesPerStep,
                 decode_bound_steps_per_s: bound, greenroute: ours, llama_cpp: ref, metrics: []};
  const add = (name, a, b, boundTokS) => {
    entry.metrics.push({name, greenroute: a, llama_cpp: b, ratio: a / b, bandwidth_bound: boundTokS ?? null});
    rows.push([type, name, fmt(a), fmt(b), fmt(a / b, 2), boundTokS ? fmt(boundTokS) : "-"]);
  };
  add("prefill tok/s", ours.prefill.tokens_per_s, ref.prefill.tokens_per_s);
  for (const d of ours.decode) {
    const r = ref.decode.find((x) => x.batch === d.batch);
    add(`decode b${d.batch} tok/s`, d.tokens_per_s, r?.tokens_per_s, bound * d.batch);
  }
  const mib = (b) => b / (1024 * 1024);
  add("peak RSS MiB", mib(ours.peak_rss_bytes), mib(ref.peak_rss_bytes));
  out.types[type] = entry;
}

const header = ["type", "metric", "greenroute", "llama.cpp", "ratio", "bw bound"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
console.log(`\nmachine: ${out.machine.cpu}, ${out.machine.cores} cores; read bandwidth ${fmt(membw.read_gb_per_s)} GB/s (${membw.threads} threads)`);
console.log("ratio = greenroute / llama.cpp (above 1: greenroute faster; for RSS: greenroute uses more)");
console.log("bw bound = batch x bandwidth / weight bytes per step (decode cannot beat it)\n");
console.log(line(header));
console.log(widths.map((w) => "-".repeat(w)).join("  "));
for (const r of rows) console.log(line(r));
fs.writeFileSync(outPath, JSON.stringify(out, null, 2));
console.log(`\nwritten ${outPath}`);
