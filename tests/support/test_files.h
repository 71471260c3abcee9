// File helpers shared by the test suites: whole-file reads, and llama.cpp's
// tokenizer test-vector format (test-tokenizer-0: inputs separated by
// "\n__ggml_vocab_test__\n" in a .inp file, one line of token ids per input
// in the matching .out file).
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace greenroute::testing {

// The file's bytes as a string; empty when it cannot be read.
inline std::string read_text_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline std::vector<std::uint8_t> read_file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Splits a .inp file's text as test-tokenizer-0's read_tests does. A trailing
// separator yields no empty last input.
inline std::vector<std::string> split_llama_vocab_inputs(const std::string& raw) {
  const std::string sep = "\n__ggml_vocab_test__\n";
  std::vector<std::string> inputs;
  for (std::size_t pos = 0; pos < raw.size();) {
    const std::size_t next = raw.find(sep, pos);
    if (next == std::string::npos) {
      inputs.push_back(raw.substr(pos));
      break;
    }
    inputs.push_back(raw.substr(pos, next - pos));
    pos = next + sep.size();
  }
  return inputs;
}

// Reads a .out file: one line of space-separated token ids per input.
inline std::vector<std::vector<std::int32_t>> read_llama_vocab_ids(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<std::vector<std::int32_t>> out;
  for (std::string line; std::getline(in, line);) {
    std::istringstream ss(line);
    std::vector<std::int32_t> ids;
    for (std::int32_t id; ss >> id;) ids.push_back(id);
    out.push_back(std::move(ids));
  }
  return out;
}

}  // namespace greenroute::testing
