// A small, deterministic BPE trainer: repeatedly merges the most frequent
// adjacent pair of symbols within words. Ties go to the lexicographically
// smallest pair, so the result does not depend on hash-map order.
// Thread-compatible: plain functions over values.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace greenroute::engine::synth {

struct TrainingWord {
  std::vector<std::string> symbols;  // initial symbols (characters or mapped bytes)
  long count = 0;                    // occurrences in the corpus
};

struct BpeMerge {
  std::string left;
  std::string right;
  bool new_symbol = false;  // false when left+right already existed as a symbol
};

// Learns merges until `max_new_symbols` new symbols exist or no pair occurs
// at least `min_pair_count` times. `initial_symbols` are the symbols that
// exist before training (so a merge that recreates one is not "new").
std::vector<BpeMerge> train_bpe(std::vector<TrainingWord> words,
                                const std::vector<std::string>& initial_symbols,
                                std::size_t max_new_symbols, long min_pair_count);

// Splits UTF-8 text into characters (invalid bytes become single-byte pieces).
std::vector<std::string> utf8_chars(const std::string& text);

}  // namespace greenroute::engine::synth
