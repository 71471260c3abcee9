// Deterministic, unique filler texts (see fillers.h for why they exist and
// why tokenization never reaches them).
#include "synth/fillers.h"

#include <algorithm>

#include "greenroute/core/check.h"

namespace greenroute::engine::synth {

namespace {

bool is_ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Tries with two words before falling back to three: pairs of the ~1,000
// learned words cover the largest vocabularies, triples make it certain.
constexpr int kPairTries = 8;

}  // namespace

FillerNamer::FillerNamer(const std::vector<std::string>& tokens, std::string_view marker,
                         std::string_view separator)
    : marker_(marker), separator_(separator) {
  for (const std::string& t : tokens) {
    taken_.insert(t);
    if (t.size() < marker_.size() + 2 || t.compare(0, marker_.size(), marker_) != 0) continue;
    const std::string rest = t.substr(marker_.size());
    if (std::all_of(rest.begin(), rest.end(), is_ascii_letter)) words_.push_back(rest);
  }
  // Token order is the builder's deterministic order; sorting makes the
  // choice depend only on the set of words.
  std::sort(words_.begin(), words_.end());
}

std::uint64_t FillerNamer::rand() {
  // splitmix64: tiny, fast and identical on every platform.
  std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

std::string FillerNamer::compose(std::size_t n_words) {
  std::string text = marker_;
  for (std::size_t k = 0; k < n_words; ++k) {
    if (k > 0) text += separator_;
    text += words_[static_cast<std::size_t>(rand() % words_.size())];
  }
  return text;
}

std::string FillerNamer::next() {
  GR_CHECK(words_.size() >= 2);
  for (int attempt = 0;; ++attempt) {
    std::string text = compose(attempt < kPairTries ? 2 : 3);
    if (taken_.insert(text).second) return text;
  }
}

}  // namespace greenroute::engine::synth
