// The texts the parity tests tokenize with both engines: every case that
// tends to break a tokenizer (byte fallback, multi-byte UTF-8, whitespace
// runs, leading spaces, digits, code, special-token text).
//
// Thread-safe: returns fresh values.
#pragma once

#include <filesystem>
#include <vector>

#include "parity/reference_runner.h"

namespace greenroute::parity {

// The shared set, each text with and without special handling where it matters.
std::vector<TextQuery> parity_texts();

// llama.cpp's own tokenizer test inputs (a `.inp` file: texts separated by
// lines "__ggml_vocab_test__"); empty when the file is absent.
std::vector<TextQuery> ggml_vocab_test_inputs(const std::filesystem::path& inp);

}  // namespace greenroute::parity
