// The small built-in text the synthetic tokenizers are trained on: English
// prose, conversation, numbers and a little code, written for greenroute.
// Thread-safe: immutable data.
#pragma once

#include <string_view>

namespace greenroute::engine::synth {

std::string_view training_corpus();

}  // namespace greenroute::engine::synth
