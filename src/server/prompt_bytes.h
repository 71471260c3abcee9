// How many bytes of prompt text one token of this node's tokenizer holds, so
// a gateway (which has no tokenizer) can turn a prompt's length into tokens.
//
// The estimate starts from a fixed calibration text (English prose with a
// little code and numbers, tokenized once at start-up) and then follows the
// node's own traffic: every /v1/completions prompt adds its bytes and tokens,
// so after a few requests the figure is the ratio of what the node was really
// asked. Chat requests are not counted: their token count includes the chat
// template, which is not text the client sent.
//
// Thread contract: record() and bytes_per_token() may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>

#include "greenroute/engine/vocab/tokenizer.h"

namespace greenroute::server {

class PromptBytesPerToken {
 public:
  // Tokenizes the calibration text with `tok` (no special tokens).
  explicit PromptBytesPerToken(const engine::vocab::Tokenizer& tok);

  // One prompt's text length and its token count (special tokens excluded
  // where the caller can; one BOS barely moves a ratio over kilobytes).
  void record(std::uint64_t bytes, std::uint64_t tokens);

  // (calibration + traffic bytes) / (calibration + traffic tokens).
  double bytes_per_token() const;
  std::uint64_t observed_bytes() const { return observed_bytes_.load(std::memory_order_relaxed); }
  std::uint64_t observed_tokens() const { return observed_tokens_.load(std::memory_order_relaxed); }

 private:
  std::uint64_t calibration_bytes_ = 0;
  std::uint64_t calibration_tokens_ = 0;
  std::atomic<std::uint64_t> observed_bytes_{0};
  std::atomic<std::uint64_t> observed_tokens_{0};
};

}  // namespace greenroute::server
