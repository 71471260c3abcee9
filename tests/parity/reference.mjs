// Reference side of greenroute's parity tests: runs llama.cpp (through
// node-llama-cpp, CPU only, prebuilt binaries) on one GGUF file and writes what
// it computes, so parity_test can compare greenroute's engine against it.
//
//   node reference.mjs SPEC.json OUT.json
//
// SPEC: {
//   "model": "/path/file.gguf",
//   "vocab_only": false,           // load only the tokenizer (no prompts then)
//   "threads": 2,
//   "context_size": 256,
//   "texts":   [{"text": "...", "add_special": true, "parse_special": false}],
//   "prompts": [{"tokens": [1, 2, 3]} | {"text": "...", "add_special": true, "parse_special": false}],
//   "n_greedy": 64,                // greedy continuation length per prompt
//   "step_logits": false           // also write the full logits at every greedy step
// }
// OUT: {
//   "n_vocab", "bos", "eos", "add_bos", "add_eos", "llama_cpp": "<binding version>",
//   "texts":   [{"tokens": [...], "detokenized": "..."}],
//   "prompts": [{"tokens": [...],            // the prompt as evaluated
//                "logits": [n_vocab],        // raw next-token logits after the prompt
//                "probs":  [n_vocab],        // llama.cpp's own distribution at temperature 0
//                "greedy": [...],            // greedy tokens, ending early at an end-of-generation token
//                "greedy_margins": [...],    // top-1 minus top-2 logit before each greedy token
//                "greedy_logits": [[n_vocab], ...]}]   // only with step_logits
// }
//
// Why controlledEvaluate rather than evaluateWithMetadata: it returns the raw
// logits next to the sampler's probabilities, and lets us step token by token
// so every greedy step's top-2 margin is known (a near tie there is the only
// legitimate reason two correct engines may pick different tokens). Checked on
// stories260K: the temperature-0 probabilities node-llama-cpp returns equal
// softmax(raw logits) to 6e-7, the same as evaluateWithMetadata(..., {temperature: 0})
// and as {temperature: 1, topK: 0, topP: 1, minP: 0}; no truncation is applied.
import fs from "node:fs";
import process from "node:process";
import {getLlama} from "node-llama-cpp";

function fail(message) {
  process.stderr.write(`reference.mjs: ${message}\n`);
  process.exit(2);
}

function denseFromMap(map, nVocab, fill) {
  const out = new Array(nVocab).fill(fill);
  for (const [token, value] of map) out[token] = value;
  return out;
}

// Top-1 minus top-2 of a dense logit array.
function topMargin(logits) {
  let best = -Infinity;
  let second = -Infinity;
  for (const v of logits) {
    if (v > best) {
      second = best;
      best = v;
    } else if (v > second) {
      second = v;
    }
  }
  return best - second;
}

function tokenizeText(model, item) {
  // node-llama-cpp always tokenizes with llama.cpp's add_special = false; with
  // add_special = true llama.cpp adds BOS/EOS around exactly that output (the
  // SentencePiece space prefix does not depend on add_special), so do that here.
  const tokens = item.text === "" ? [] : Array.from(model.tokenize(item.text, !!item.parse_special));
  if (item.add_special) {
    if (model.tokens.shouldPrependBosToken && model.tokens.bos != null) tokens.unshift(model.tokens.bos);
    if (model.tokens.shouldAppendEosToken && model.tokens.eos != null) tokens.push(model.tokens.eos);
  }
  return tokens;
}

async function evaluatePrompt(model, sequence, prompt, nGreedy, stepLogits) {
  const tokens = prompt.tokens ? prompt.tokens.slice() : tokenizeText(model, prompt);
  if (tokens.length === 0) fail("a prompt has no tokens");
  await sequence.clearHistory();
  {
    const want = {generateNext: {logits: true, probabilities: true, token: true, options: {temperature: 0}}};
    const input = tokens.map((t, i) => (i === tokens.length - 1 ? [t, want] : t));
    let results = await sequence.controlledEvaluate(input);
    let next = results[tokens.length - 1].next;
    // llama.cpp scores every vocabulary entry, so the map's size is n_vocab.
    const nVocab = next.logits.size;
    const first = {
      tokens,
      logits: denseFromMap(next.logits, nVocab, -Infinity),
      probs: denseFromMap(next.probabilities, nVocab, 0),
      greedy: [],
      greedy_margins: [],
    };
    if (stepLogits) first.greedy_logits = [];
    for (let step = 0; step < nGreedy; step++) {
      const dense = step === 0 ? first.logits : denseFromMap(next.logits, nVocab, -Infinity);
      const token = next.token;
      first.greedy.push(token);
      first.greedy_margins.push(topMargin(dense));
      if (stepLogits) first.greedy_logits.push(dense);
      if (model.isEogToken(token) || step + 1 === nGreedy) break;
      results = await sequence.controlledEvaluate([[token, want]]);
      next = results[0].next;
    }
    return first;
  }
}

async function main() {
  const [specPath, outPath] = process.argv.slice(2);
  if (!specPath || !outPath) fail("usage: node reference.mjs SPEC.json OUT.json");
  const spec = JSON.parse(fs.readFileSync(specPath, "utf8"));
  if (!spec.model) fail("spec has no model");

  // llama.cpp's vocab-only load first tries the full load and logs a "missing
  // tensor" error before it succeeds; drop exactly that noise, keep the rest.
  const logger = (level, message) => {
    if (spec.vocab_only && /missing tensor|failed to load model/.test(message)) return;
    process.stderr.write(`[llama.cpp ${level}] ${message.trimEnd()}\n`);
  };
  const llama = await getLlama({gpu: false, build: "never", logLevel: "error", logger});
  const model = await llama.loadModel({modelPath: spec.model, vocabOnly: !!spec.vocab_only});
  const out = {
    model: spec.model,
    n_vocab: null,
    bos: model.tokens.bos ?? null,
    eos: model.tokens.eos ?? null,
    add_bos: model.tokens.shouldPrependBosToken,
    add_eos: model.tokens.shouldAppendEosToken,
    texts: [],
    prompts: [],
  };
  for (const item of spec.texts ?? []) {
    const tokens = tokenizeText(model, item);
    out.texts.push({tokens, detokenized: model.detokenize(tokens, !!item.parse_special)});
  }

  const prompts = spec.prompts ?? [];
  if (prompts.length > 0) {
    if (spec.vocab_only) fail("a vocab-only model cannot evaluate prompts");
    const nGreedy = spec.n_greedy ?? 0;
    const longest = Math.max(...prompts.map((p) => (p.tokens ? p.tokens.length : tokenizeText(model, p).length)));
    const contextSize = Math.max(spec.context_size ?? 0, longest + nGreedy + 8);
    // One sequence, cleared before each prompt: no state leaks between prompts.
    const context = await model.createContext({
      contextSize,
      sequences: 1,
      threads: spec.threads ?? 2,
      batchSize: Math.max(contextSize, 512),
      // greenroute computes attention as llama.cpp does with flash attention off
      // (F32 softmax, F32 accumulation); "auto" would turn it on for CPU.
      flashAttention: false,
    });
    const sequence = context.getSequence();
    for (const prompt of prompts) {
      out.prompts.push(await evaluatePrompt(model, sequence, prompt, nGreedy, !!spec.step_logits));
    }
    if (out.prompts.length > 0) out.n_vocab = out.prompts[0].logits.length;
    await context.dispose();
  }
  await model.dispose();
  // JSON has no -Infinity: a token llama.cpp did not score becomes null.
  fs.writeFileSync(outPath, JSON.stringify(out, (k, v) => (v === -Infinity ? null : v)));
}

main().catch((err) => fail(err && err.stack ? err.stack : String(err)));
