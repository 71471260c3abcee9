#include "parity/parity_texts.h"

#include <string>

#include "support/test_files.h"

namespace greenroute::parity {

std::vector<TextQuery> parity_texts() {
  // u8 literals hold the exact UTF-8 bytes; char8_t is converted once below.
  const std::vector<std::string> plain = {
      "Hello world",
      " Hello world",
      "Hello  world",
      "Once upon a time, there was a little girl named Lily.",
      "The quick brown fox jumps over the lazy dog 1234567890 times!",
      "   leading spaces",
      "trailing spaces   ",
      "tabs\tand\t\ttabs",
      "line one\nline two\n\nline four\r\n",
      "\n\n\n",
      " ",
      "a",
      "",
      "3.14159 + 2.71828 = 5.85987; 100000000 / 7",
      "int main(int argc, char** argv) {\n    return argc > 1 ? 0 : -1;\n}\n",
      "def f(x):\n\treturn [i ** 2 for i in range(x) if i % 3 == 0]  # squares\n",
      "{\"key\": [1, 2.5, null], 'q': \"it's\"}",
      "https://example.com/path?query=1&x=%20#frag",
      "CamelCaseIdentifier snake_case_identifier SCREAMING_CASE",
      "don't won't I'm you're we'll they've",
  };
  const std::vector<std::u8string> unicode = {
      u8"Caf\u00e9 na\u00efve r\u00e9sum\u00e9 \u00fcber Stra\u00dfe",
      u8"\u00c0 bient\u00f4t, \u00e7a va? \u00f1and\u00fa",
      u8"\u4f60\u597d\uff0c\u4e16\u754c\uff01\u4eca\u5929\u5929\u6c14\u5f88\u597d\u3002",
      u8"\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8\u3068\u30ab\u30bf\u30ab\u30ca",
      u8"\ud55c\uad6d\uc5b4 \ud14d\uc2a4\ud2b8",
      u8"\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440! \u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac",
      u8"\u0645\u0631\u062d\u0628\u0627 \u05e9\u05dc\u05d5\u05dd \u0928\u092e\u0938\u094d\u0924\u0947",
      u8"emoji \U0001F600\U0001F680 \U0001F44D\U0001F3FD family \U0001F468\u200D\U0001F469\u200D\U0001F467",
      u8"\U0001F525\U0001F525\U0001F525 fire",
      u8"math \u2211 \u222b \u221e \u2264 \u2260 \u03c0",
      u8"\u00a0non-breaking\u00a0space and \u3000ideographic space",
  };
  // Special-token text of the families the synthetic and real models use.
  const std::vector<std::string> special = {
      "<s>Hello</s>",
      "<s> <s>",
      "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
      "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>",
      "<|endoftext|>text after",
      "<unk> and <pad>",
  };

  std::vector<TextQuery> out;
  for (const std::string& t : plain) {
    out.push_back({t, false, false});
    out.push_back({t, true, false});
  }
  for (const std::u8string& t : unicode) {
    std::string s(t.begin(), t.end());
    out.push_back({s, false, false});
    out.push_back({s, true, false});
  }
  for (const std::string& t : special) {
    out.push_back({t, false, false});
    out.push_back({t, false, true});
    out.push_back({t, true, true});
  }
  return out;
}

std::vector<TextQuery> ggml_vocab_test_inputs(const std::filesystem::path& inp) {
  std::vector<TextQuery> out;
  for (const std::string& text :
       ::greenroute::testing::split_llama_vocab_inputs(::greenroute::testing::read_text_file(inp))) {
    out.push_back({text, false, false});
    out.push_back({text, true, false});
  }
  return out;
}

}  // namespace greenroute::parity
