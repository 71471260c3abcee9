// Filler tokens for the ids a synthetic vocabulary cannot learn from its small
// corpus. Real vocabularies have tens of thousands of visible tokens; with
// random weights a model samples every id about equally, so invisible fillers
// would make generations print nothing. Fillers are therefore NORMAL tokens
// whose text joins two or three learned words ("▁solar grid", "ĠsolarĠgrid"),
// chosen deterministically and unique across the vocabulary.
//
// They are built so that tokenizing text never produces them: an SPM filler
// joins its words with a raw ' ' (llama.cpp's SPM tokenizer turns every ' '
// into '▁' before merging, so no symbol holds a raw space), and a byte-level
// filler holds a 'Ġ' inside it (no pre-tokenizer piece has a space after a
// letter run), so neither merges nor llama3's whole-word lookup reach them.
// Thread-compatible: a FillerNamer is a value owned by one builder.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace greenroute::engine::synth {

class FillerNamer {
 public:
  // `tokens` are the vocabulary so far; word pieces are those starting with
  // `marker` followed by at least two ASCII letters. Filler texts are
  // marker + word + (separator + word)+, never equal to any existing token.
  FillerNamer(const std::vector<std::string>& tokens, std::string_view marker, std::string_view separator);

  // The number of word pieces found (fillers need at least two).
  std::size_t word_count() const { return words_.size(); }

  // A new unique filler text; deterministic in the sequence of calls.
  // Requires word_count() >= 2 (our own invariant: the corpus guarantees it).
  std::string next();

  // Reserves a text the namer must never produce (a token added later).
  void reserve(const std::string& text) { taken_.insert(text); }

 private:
  std::uint64_t rand();
  std::string compose(std::size_t n_words);

  std::vector<std::string> words_;  // letters only, without the marker
  std::string marker_;
  std::string separator_;
  std::unordered_set<std::string> taken_;
  std::uint64_t state_ = 0x5EED5EED5EED5EEDull;
};

}  // namespace greenroute::engine::synth
