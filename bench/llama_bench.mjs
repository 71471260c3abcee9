// llama.cpp side of `make bench`: times llama.cpp (through node-llama-cpp,
// CPU only, prebuilt binaries) on one GGUF file, measured the same way
// bench/engine_bench.cc measures greenroute, and writes one JSON result.
//
//   node bench/llama_bench.mjs --model F.gguf --out R.json [--threads 2]
//        [--prompt-tokens 128] [--decode-tokens 16] [--batches 1,4,8] [--runs 3]
//
// What is timed (wall clock, median of --runs runs, the first run included
// because the median already discards a cold outlier):
// - prefill: one sequence evaluates a --prompt-tokens prompt in one batch;
// - decode at batch B: B sequences, each already holding a short prompt,
//   generate --decode-tokens tokens greedily and concurrently. node-llama-cpp
//   queues concurrent sequences' tokens into one llama_decode per step, so this
//   is llama.cpp's batched decode; aggregate tokens/s = B * tokens / time.
// Prompt token ids come from the same formula engine_bench.cc uses
// (bench_token below), so both engines see the same ids and no tokenizer is
// involved. Peak memory is VmHWM from /proc/self/status after all runs, minus
// the value before the model was loaded (node's own footprint).
import fs from "node:fs";
import process from "node:process";
import {createRequire} from "node:module";
import path from "node:path";
import {fileURLToPath} from "node:url";

// node-llama-cpp is installed once, under tests/parity (the parity tests use it too).
const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "..", "tests", "parity", "package.json"));
const {getLlama} = await import(require.resolve("node-llama-cpp"));

function parseArgs(argv) {
  const args = {threads: 2, promptTokens: 128, decodeTokens: 16, batches: [1, 4, 8], runs: 3};
  for (let i = 0; i < argv.length; i += 2) {
    const [key, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`missing value for ${key}`);
    switch (key) {
      case "--model": args.model = value; break;
      case "--out": args.out = value; break;
      case "--threads": args.threads = Number(value); break;
      case "--prompt-tokens": args.promptTokens = Number(value); break;
      case "--decode-tokens": args.decodeTokens = Number(value); break;
      case "--batches": args.batches = value.split(",").map(Number); break;
      case "--runs": args.runs = Number(value); break;
      default: throw new Error(`unknown option ${key}`);
    }
  }
  if (!args.model || !args.out) throw new Error("--model and --out are required");
  return args;
}

// Deterministic prompt ids, shared with engine_bench.cc: ordinary tokens in
// [100, 100 + span), span = min(5000, n_vocab - 200), away from the special
// ids at the ends of common vocabularies.
function benchToken(nVocab, sequence, position) {
  const span = Math.min(5000, nVocab - 200);
  return 100 + ((position * 7919 + sequence * 104729) % span);
}

function benchPrompt(nVocab, sequence, length) {
  return Array.from({length}, (_, i) => benchToken(nVocab, sequence, i));
}

function bindingVersion() {
  const pkg = path.join(here, "..", "tests", "parity", "node_modules", "node-llama-cpp", "package.json");
  return JSON.parse(fs.readFileSync(pkg, "utf8")).version;
}

function vmHwmBytes() {
  const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync("/proc/self/status", "utf8"));
  return match ? Number(match[1]) * 1024 : 0;
}

function median(values) {
  const sorted = values.slice().sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const kShortPrompt = 16;  // tokens each sequence holds before decode is timed

async function timePrefill(sequence, args) {
  const prompt = benchPrompt(args.nVocab, 0, args.promptTokens);
  const seconds = [];
  for (let run = 0; run < args.runs; run++) {
    await sequence.clearHistory();
    const t0 = performance.now();
    await sequence.evaluateWithoutGeneratingNewTokens(prompt);
    seconds.push((performance.now() - t0) / 1000);
  }
  const s = median(seconds);
  return {tokens: args.promptTokens, seconds: s, tokens_per_s: args.promptTokens / s, runs: seconds};
}

async function generate(sequence, lastToken, count) {
  let n = 0;
  for await (const token of sequence.evaluate([lastToken], {temperature: 0, yieldEogToken: true})) {
    void token;
    if (++n >= count) break;
  }
  return n;
}

async function timeDecode(sequences, batch, args) {
  const active = sequences.slice(0, batch);
  const seconds = [];
  let generated = 0;
  for (let run = 0; run < args.runs; run++) {
    const prompts = active.map((_, s) => benchPrompt(args.nVocab, s + 1, kShortPrompt));
    await Promise.all(active.map((seq) => seq.clearHistory()));
    // Hold all but the last prompt token; the timed loop feeds the last one,
    // so each of its steps is one decode of one token per sequence.
    await Promise.all(active.map((seq, s) => seq.evaluateWithoutGeneratingNewTokens(prompts[s].slice(0, -1))));
    const t0 = performance.now();
    const counts = await Promise.all(active.map((seq, s) => generate(seq, prompts[s].at(-1), args.decodeTokens)));
    seconds.push((performance.now() - t0) / 1000);
    generated = counts.reduce((a, b) => a + b, 0);
  }
  const s = median(seconds);
  return {batch, tokens: generated, seconds: s, tokens_per_s: generated / s, runs: seconds};
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const maxBatch = Math.max(...args.batches);
  const baselineBytes = vmHwmBytes();
  const llama = await getLlama({gpu: false, build: "never", logLevel: "error", maxThreads: args.threads});
  const loadStart = performance.now();
  const model = await llama.loadModel({modelPath: args.model});
  const loadSeconds = (performance.now() - loadStart) / 1000;
  args.nVocab = model.fileInfo.metadata.tokenizer.ggml.tokens.length;
  if (!(args.nVocab > 300)) throw new Error(`vocabulary too small for the bench prompts: ${args.nVocab}`);
  const perSequence = Math.max(args.promptTokens, kShortPrompt + args.decodeTokens) + 16;
  const context = await model.createContext({
    sequences: maxBatch,
    contextSize: perSequence,
    batchSize: Math.max(args.promptTokens, maxBatch),
    threads: {ideal: args.threads, min: args.threads},
  });
  const sequences = Array.from({length: maxBatch}, () => context.getSequence());

  const result = {
    engine: "llama.cpp",
    binding: "node-llama-cpp " + bindingVersion(),
    model: args.model,
    model_bytes: fs.statSync(args.model).size,
    threads: args.threads,
    load_s: loadSeconds,
    prefill: await timePrefill(sequences[0], args),
    decode: [],
  };
  for (const batch of args.batches) result.decode.push(await timeDecode(sequences, batch, args));
  result.peak_rss_bytes = vmHwmBytes() - baselineBytes;
  result.baseline_rss_bytes = baselineBytes;

  await context.dispose();
  await model.dispose();
  fs.writeFileSync(args.out, JSON.stringify(result, null, 2));
}

main().catch((err) => {
  process.stderr.write(`llama_bench.mjs: ${err && err.stack ? err.stack : err}\n`);
  process.exit(2);
});
