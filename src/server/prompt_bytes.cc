#include "prompt_bytes.h"

#include <algorithm>
#include <string_view>

namespace greenroute::server {
namespace {

// Written for this purpose: ordinary prose of the kind prompts hold, a short
// code fragment and some numbers, about 1 KiB. Its only job is to give a
// tokenizer's bytes-per-token ratio before any traffic arrives.
constexpr std::string_view kCalibrationText =
    "Summarise the following report in three sentences for a reader who has not seen it. "
    "The city council met on Tuesday evening to discuss the new bus routes, the budget for "
    "repairing the old library, and a proposal to plant two hundred trees along the river. "
    "Most members agreed that the library could not wait another winter, although several "
    "asked whether the costs had been checked against last year's estimates.\n"
    "Question: why does ice float on water, and what would happen to lakes if it sank?\n"
    "Write a Python function that returns the largest even number in a list, or None:\n"
    "def largest_even(values):\n"
    "    evens = [v for v in values if v % 2 == 0]\n"
    "    return max(evens) if evens else None\n"
    "A train leaves at 14:35 and travels 312 km at an average of 96 km/h; when does it arrive? "
    "Explain each step, then give the answer in hours and minutes.\n"
    "Tell a short story about a lighthouse keeper who finds a message in a bottle, in the "
    "style of a fairy tale, with a gentle ending suitable for children.";

}  // namespace

PromptBytesPerToken::PromptBytesPerToken(const engine::vocab::Tokenizer& tok) {
  calibration_bytes_ = kCalibrationText.size();
  calibration_tokens_ = std::max<std::uint64_t>(
      1, tok.tokenize(kCalibrationText, /*add_special=*/false, /*parse_special=*/false).size());
}

void PromptBytesPerToken::record(std::uint64_t bytes, std::uint64_t tokens) {
  if (bytes == 0 || tokens == 0) return;
  observed_bytes_.fetch_add(bytes, std::memory_order_relaxed);
  observed_tokens_.fetch_add(tokens, std::memory_order_relaxed);
}

double PromptBytesPerToken::bytes_per_token() const {
  // Two relaxed loads may come from different records; the ratio is an
  // estimate and a one-prompt skew is harmless.
  const std::uint64_t b = calibration_bytes_ + observed_bytes();
  const std::uint64_t t = calibration_tokens_ + observed_tokens();
  return static_cast<double>(b) / static_cast<double>(t);
}

}  // namespace greenroute::server
