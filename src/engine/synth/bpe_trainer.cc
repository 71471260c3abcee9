#include "synth/bpe_trainer.h"

#include <cstdint>
#include <unordered_map>
#include <unordered_set>

namespace greenroute::engine::synth {

std::vector<std::string> utf8_chars(const std::string& text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t len = 1;
    if (c >= 0xF0) {
      len = 4;
    } else if (c >= 0xE0) {
      len = 3;
    } else if (c >= 0xC0) {
      len = 2;
    }
    if (i + len > text.size()) len = 1;
    out.push_back(text.substr(i, len));
    i += len;
  }
  return out;
}

std::vector<BpeMerge> train_bpe(std::vector<TrainingWord> words, const std::vector<std::string>& initial_symbols,
                                std::size_t max_new_symbols, long min_pair_count) {
  // Symbols as small integers; a pair is packed into one 64-bit key.
  std::vector<std::string> names;
  std::unordered_map<std::string, std::uint32_t> ids;
  auto intern = [&](const std::string& s) {
    auto [it, inserted] = ids.emplace(s, static_cast<std::uint32_t>(names.size()));
    if (inserted) names.push_back(s);
    return it->second;
  };
  std::unordered_set<std::string> existing(initial_symbols.begin(), initial_symbols.end());

  struct Word {
    std::vector<std::uint32_t> syms;
    long count;
  };
  std::vector<Word> work;
  work.reserve(words.size());
  for (const TrainingWord& w : words) {
    Word ww{{}, w.count};
    for (const std::string& s : w.symbols) ww.syms.push_back(intern(s));
    if (ww.syms.size() >= 2) work.push_back(std::move(ww));
  }

  std::vector<BpeMerge> merges;
  std::size_t n_new = 0;
  std::unordered_map<std::uint64_t, long> pair_counts;
  while (n_new < max_new_symbols && !work.empty()) {
    pair_counts.clear();
    for (const Word& w : work) {
      for (std::size_t i = 0; i + 1 < w.syms.size(); ++i) {
        pair_counts[(static_cast<std::uint64_t>(w.syms[i]) << 32) | w.syms[i + 1]] += w.count;
      }
    }
    std::uint64_t best = 0;
    long best_count = 0;
    for (const auto& [key, count] : pair_counts) {
      if (count < best_count) continue;
      if (count == best_count) {
        const auto& a = names[key >> 32];
        const auto& b = names[key & 0xFFFFFFFFu];
        const auto& ba = names[best >> 32];
        const auto& bb = names[best & 0xFFFFFFFFu];
        if (std::make_pair(a, b) >= std::make_pair(ba, bb)) continue;
      }
      best = key;
      best_count = count;
    }
    if (best_count < min_pair_count) break;

    const std::uint32_t left = static_cast<std::uint32_t>(best >> 32);
    const std::uint32_t right = static_cast<std::uint32_t>(best & 0xFFFFFFFFu);
    const std::string merged = names[left] + names[right];
    const bool is_new = existing.insert(merged).second;
    merges.push_back(BpeMerge{names[left], names[right], is_new});
    if (is_new) ++n_new;
    const std::uint32_t merged_id = intern(merged);

    // Apply the merge left to right in every word; drop finished words.
    std::size_t kept = 0;
    for (std::size_t wi = 0; wi < work.size(); ++wi) {
      Word& w = work[wi];
      std::size_t out = 0;
      for (std::size_t i = 0; i < w.syms.size(); ++i) {
        if (i + 1 < w.syms.size() && w.syms[i] == left && w.syms[i + 1] == right) {
          w.syms[out++] = merged_id;
          ++i;
        } else {
          w.syms[out++] = w.syms[i];
        }
      }
      w.syms.resize(out);
      if (w.syms.size() < 2) continue;
      if (kept != wi) work[kept] = std::move(w);
      ++kept;
    }
    work.resize(kept);
  }
  return merges;
}

}  // namespace greenroute::engine::synth
