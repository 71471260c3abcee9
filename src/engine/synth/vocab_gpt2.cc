// Byte-level BPE vocabulary ("gpt2" tokenizer model): the 256 byte symbols of
// GPT-2's printable byte map, merges learned on pre-tokenized corpus text, and
// the family's special tokens at the family's ids.
#include <map>

#include "synth/bpe_trainer.h"
#include "synth/corpus.h"
#include "synth/fillers.h"
#include "synth/vocab_builder.h"

namespace greenroute::engine::synth {

namespace {

std::string utf8_encode(std::uint32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    s.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    s.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
  return s;
}

bool is_letter(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80; }
bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
bool is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// A simplified form of the Llama-3 / Qwen2 pre-tokenizer regex: letter runs
// and punctuation runs take one leading space, digits come in groups of at
// most `max_digits`, and a space run gives its last space to the next word.
std::vector<std::string> pre_tokenize(std::string_view text, std::size_t max_digits) {
  std::vector<std::string> out;
  const std::size_t n = text.size();
  auto at = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  std::size_t i = 0;
  while (i < n) {
    if (is_space(at(i))) {
      std::size_t j = i;
      while (j < n && is_space(at(j))) ++j;
      std::size_t end = j;
      if (j < n && at(j - 1) == ' ') end = j - 1;  // the last space goes to the next word
      if (end > i) {
        out.emplace_back(text.substr(i, end - i));
        i = end;
        continue;
      }
    }
    const std::size_t start = i;
    std::size_t j = i;
    if (at(j) == ' ') ++j;  // j < n: a single space here is followed by a non-space
    if (is_letter(at(j))) {
      while (j < n && is_letter(at(j))) ++j;
    } else if (is_digit(at(j))) {
      if (j != start) {  // digits take no leading space
        out.emplace_back(text.substr(start, 1));
        i = j;
        continue;
      }
      for (std::size_t k = 0; j < n && is_digit(at(j)) && k < max_digits; ++k) ++j;
    } else {
      while (j < n && !is_space(at(j)) && !is_letter(at(j)) && !is_digit(at(j))) ++j;
      while (j < n && (at(j) == '\n' || at(j) == '\r')) ++j;
    }
    out.emplace_back(text.substr(start, j - start));
    i = j;
  }
  return out;
}

struct FamilyTokens {
  std::vector<std::string> specials;
  bool specials_first = false;
  std::size_t tail_padding = 0;  // filler ids after the specials (Qwen2's padded embedding)
};

FamilyTokens family_tokens(const SynthPreset& preset) {
  FamilyTokens f;
  switch (preset.vocab_family) {
    case VocabFamily::kSmolLm:
      f.specials = {"<|endoftext|>", "<|im_start|>", "<|im_end|>", "<repo_name>", "<reponame>", "<file_sep>",
                    "<filename>", "<gh_stars>", "<issue_start>", "<issue_comment>", "<issue_closed>",
                    "<jupyter_start>", "<jupyter_text>", "<jupyter_code>", "<jupyter_output>",
                    "<jupyter_script>", "<empty_output>"};
      f.specials_first = true;
      break;
    case VocabFamily::kQwen2:
      f.specials = {"<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|object_ref_start|>", "<|object_ref_end|>",
                    "<|box_start|>", "<|box_end|>", "<|quad_start|>", "<|quad_end|>", "<|vision_start|>",
                    "<|vision_end|>", "<|vision_pad|>", "<|image_pad|>", "<|video_pad|>", "<tool_call>",
                    "</tool_call>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|fim_pad|>",
                    "<|repo_name|>", "<|file_sep|>"};
      // Qwen2.5 pads its 151,665-token vocabulary to a 151,936-row embedding.
      if (preset.n_vocab == 151936) f.tail_padding = 151936 - 151665;
      break;
    case VocabFamily::kLlama3: {
      f.specials = {"<|begin_of_text|>", "<|end_of_text|>", "<|reserved_special_token_0|>",
                    "<|reserved_special_token_1|>", "<|finetune_right_pad_id|>", "<|reserved_special_token_2|>",
                    "<|start_header_id|>", "<|end_header_id|>", "<|eom_id|>", "<|eot_id|>", "<|python_tag|>"};
      for (int k = 3; f.specials.size() < 256; ++k) {
        f.specials.push_back("<|reserved_special_token_" + std::to_string(k) + "|>");
      }
      break;
    }
    case VocabFamily::kLlama2:
      break;
  }
  return f;
}

}  // namespace

const std::vector<std::string>& gpt2_byte_symbols() {
  static const std::vector<std::string> kSymbols = [] {
    std::vector<std::string> s(256);
    std::uint32_t next = 256;
    for (std::uint32_t b = 0; b < 256; ++b) {
      const bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
      s[b] = utf8_encode(printable ? b : next++);
    }
    return s;
  }();
  return kSymbols;
}

core::Result<SynthVocab> build_gpt2_vocab(const SynthPreset& preset) {
  SynthVocab v;
  v.model = "gpt2";
  v.pre = std::string(preset.tokenizer_pre);
  const FamilyTokens fam = family_tokens(preset);
  const std::size_t fixed = 256 + fam.specials.size() + fam.tail_padding;
  if (preset.n_vocab < fixed) {
    return core::invalid_argument("n_vocab " + std::to_string(preset.n_vocab) + " cannot hold the " +
                                  std::to_string(fixed) + " fixed byte-level BPE tokens");
  }
  const std::size_t n_text = preset.n_vocab - fam.specials.size() - fam.tail_padding;

  const auto& bytes = gpt2_byte_symbols();
  const std::size_t max_digits = preset.vocab_family == VocabFamily::kLlama3 ? 3 : 1;
  std::map<std::string, long> counts;
  for (std::string& piece : pre_tokenize(training_corpus(), max_digits)) ++counts[piece];
  std::vector<TrainingWord> words;
  for (const auto& [piece, count] : counts) {
    TrainingWord w;
    for (const char c : piece) w.symbols.push_back(bytes[static_cast<unsigned char>(c)]);
    w.count = count;
    words.push_back(std::move(w));
  }
  const std::vector<BpeMerge> merges = train_bpe(std::move(words), bytes, n_text - 256, 1);

  auto add = [&v](std::string text, TokenType type) {
    v.tokens.push_back(std::move(text));
    v.types.push_back(static_cast<std::int32_t>(type));
  };
  auto add_specials = [&] {
    for (const std::string& s : fam.specials) add(s, TokenType::kControl);
  };
  if (fam.specials_first) add_specials();
  for (const std::string& b : bytes) add(b, TokenType::kNormal);
  for (const BpeMerge& m : merges) {
    v.merges.push_back(m.left + " " + m.right);
    if (m.new_symbol) add(m.left + m.right, TokenType::kNormal);
  }
  v.n_learned = v.tokens.size() - (fam.specials_first ? fam.specials.size() : 0);
  const std::size_t text_end = fam.specials_first ? preset.n_vocab : n_text;
  // Ids the corpus cannot fill: visible word-salad fillers (fillers.h) that
  // need no merges, since tokenization never produces them.
  if (v.tokens.size() < text_end) {
    FillerNamer namer(v.tokens, bytes[' '], bytes[' ']);
    for (const std::string& special : fam.specials) namer.reserve(special);
    v.first_filler = v.tokens.size();
    v.n_fillers = text_end - v.tokens.size();
    while (v.tokens.size() < text_end) add(namer.next(), TokenType::kNormal);
  }
  if (!fam.specials_first) add_specials();
  // Qwen2.5's embedding padding past its specials, named and typed as
  // llama.cpp's converter writes it for the real model.
  while (v.tokens.size() < preset.n_vocab) add("[PAD" + std::to_string(v.tokens.size()) + "]", TokenType::kUnused);

  auto id_of = [&](std::string_view text) {
    for (std::size_t i = 0; i < v.tokens.size(); ++i) {
      if (v.tokens[i] == text && v.types[i] == static_cast<std::int32_t>(TokenType::kControl)) {
        return static_cast<std::int32_t>(i);
      }
    }
    return std::int32_t{-1};
  };
  switch (preset.vocab_family) {
    case VocabFamily::kSmolLm:
      v.bos = id_of("<|im_start|>");
      v.eos = id_of("<|im_end|>");
      v.unk = id_of("<|endoftext|>");
      v.pad = v.eos;
      v.add_bos = false;
      break;
    case VocabFamily::kQwen2:
      v.bos = id_of("<|endoftext|>");
      v.eos = id_of("<|im_end|>");
      v.pad = v.bos;
      v.add_bos = false;
      break;
    case VocabFamily::kLlama3:
      v.bos = id_of("<|begin_of_text|>");
      v.eos = id_of("<|eot_id|>");
      v.eot = v.eos;
      v.add_bos = true;
      break;
    case VocabFamily::kLlama2:
      return core::invalid_argument("the llama2 family uses a SentencePiece vocabulary, not gpt2");
  }
  v.chat_template = chat_template_for(preset.vocab_family);
  return v;
}

core::Result<SynthVocab> build_spm_vocab(const SynthPreset& preset);

core::Result<SynthVocab> build_vocab(const SynthPreset& preset) {
  return preset.vocab_kind == VocabKind::kSpm ? build_spm_vocab(preset) : build_gpt2_vocab(preset);
}

}  // namespace greenroute::engine::synth
