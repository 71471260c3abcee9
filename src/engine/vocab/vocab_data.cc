// load_vocab_data: the tokenizer.ggml.* keys of a GGUF file, with
// llama.cpp's defaults for what they leave out.
#include "greenroute/engine/vocab/vocab_data.h"

#include "greenroute/engine/gguf/gguf_file.h"
#include "vocab/pre_tokenizer.h"

namespace greenroute::engine::vocab {
namespace {

constexpr std::string_view kModel = "tokenizer.ggml.model";
constexpr std::string_view kPre = "tokenizer.ggml.pre";
constexpr std::string_view kTokens = "tokenizer.ggml.tokens";
constexpr std::string_view kScores = "tokenizer.ggml.scores";
constexpr std::string_view kTokenType = "tokenizer.ggml.token_type";
constexpr std::string_view kMerges = "tokenizer.ggml.merges";
constexpr std::string_view kAddBos = "tokenizer.ggml.add_bos_token";
constexpr std::string_view kAddEos = "tokenizer.ggml.add_eos_token";
constexpr std::string_view kAddSpacePrefix = "tokenizer.ggml.add_space_prefix";
constexpr std::string_view kChatTemplate = "tokenizer.chat_template";

bool is_integer(gguf::ValueType t) {
  switch (t) {
    case gguf::ValueType::kUint8: case gguf::ValueType::kInt8: case gguf::ValueType::kUint16:
    case gguf::ValueType::kInt16: case gguf::ValueType::kUint32: case gguf::ValueType::kInt32:
    case gguf::ValueType::kUint64: case gguf::ValueType::kInt64:
      return true;
    default:
      return false;
  }
}

// An optional bool key: absent keeps `value`, present but mistyped is an error.
core::Status read_optional_bool(const gguf::GgufFile& file, std::string_view key, bool& value) {
  if (file.find(key) == nullptr) return core::Status::ok();
  GR_ASSIGN_OR_RETURN(value, file.get_bool(key));
  return core::Status::ok();
}

// An optional special-token id: as llama.cpp, an id outside the vocabulary
// leaves the default in place (and a default outside it becomes "none").
core::Status read_special_id(const gguf::GgufFile& file, std::string_view key, std::size_t n_tokens,
                             std::int32_t& id) {
  if (id >= 0 && static_cast<std::size_t>(id) >= n_tokens) id = -1;
  if (file.find(key) == nullptr) return core::Status::ok();
  GR_ASSIGN_OR_RETURN(const std::int64_t v, file.get_int(key));
  if (v >= 0 && static_cast<std::uint64_t>(v) < n_tokens) id = static_cast<std::int32_t>(v);
  return core::Status::ok();
}

core::Result<std::vector<std::int64_t>> integer_elements(const gguf::ArrayValue& a) {
  if (!a.ints.empty() || a.size() == 0) return a.ints;
  std::vector<std::int64_t> out;
  out.reserve(a.uints.size());
  for (const std::uint64_t u : a.uints) out.push_back(static_cast<std::int64_t>(u));
  return out;
}

core::Result<VocabData> load(const gguf::GgufFile& file) {
  VocabData d;
  if (file.find(kModel) == nullptr) return core::not_found("the file has no tokenizer (no tokenizer.ggml.model)");
  GR_ASSIGN_OR_RETURN(d.model, file.get_string(kModel));
  if (file.find(kPre) != nullptr) {
    GR_ASSIGN_OR_RETURN(d.pre, file.get_string(kPre));
  }

  if (d.model == "llama") {
    d.bos_id = 1;
    d.eos_id = 2;
    d.unk_id = 0;
    d.add_bos = true;
    d.add_space_prefix = true;
  } else if (d.model == "gpt2") {
    d.bos_id = 11;
    d.eos_id = 11;
    const PreTokenizerInfo* info = find_pre_tokenizer(d.pre);
    d.add_bos = info != nullptr && info->add_bos;
  } else {
    return core::unsupported("tokenizer model '" + d.model + "' is not supported (only 'llama' and 'gpt2')");
  }

  GR_ASSIGN_OR_RETURN(const gguf::ArrayValue* tokens, file.get_array(kTokens));
  if (tokens->element_type != gguf::ValueType::kString) return core::corrupt(std::string(kTokens) + " is not a string array");
  d.tokens = tokens->strings;
  const std::size_t n = d.tokens.size();

  if (file.find(kScores) != nullptr) {
    GR_ASSIGN_OR_RETURN(const gguf::ArrayValue* scores, file.get_array(kScores));
    if (scores->size() < n) return core::corrupt(std::string(kScores) + " has fewer entries than tokens");
    if (scores->element_type == gguf::ValueType::kFloat32 || scores->element_type == gguf::ValueType::kFloat64) {
      d.scores.assign(scores->floats.begin(), scores->floats.begin() + static_cast<std::ptrdiff_t>(n));
    } else if (is_integer(scores->element_type)) {
      GR_ASSIGN_OR_RETURN(const std::vector<std::int64_t> ints, integer_elements(*scores));
      for (std::size_t i = 0; i < n; ++i) d.scores.push_back(static_cast<float>(ints[i]));
    } else {
      return core::corrupt(std::string(kScores) + " is not a numeric array");
    }
  }

  if (file.find(kTokenType) != nullptr) {
    GR_ASSIGN_OR_RETURN(const gguf::ArrayValue* types, file.get_array(kTokenType));
    if (!is_integer(types->element_type)) return core::corrupt(std::string(kTokenType) + " is not an integer array");
    if (types->size() < n) return core::corrupt(std::string(kTokenType) + " has fewer entries than tokens");
    GR_ASSIGN_OR_RETURN(const std::vector<std::int64_t> ints, integer_elements(*types));
    for (std::size_t i = 0; i < n; ++i) d.token_types.push_back(static_cast<std::int32_t>(ints[i]));
  }

  if (d.model == "gpt2") {
    if (file.find(kMerges) == nullptr) return core::corrupt("BPE tokenizer without tokenizer.ggml.merges");
    GR_ASSIGN_OR_RETURN(const gguf::ArrayValue* merges, file.get_array(kMerges));
    if (merges->element_type != gguf::ValueType::kString) return core::corrupt(std::string(kMerges) + " is not a string array");
    d.merges = merges->strings;
  }

  GR_RETURN_IF_ERROR(read_special_id(file, "tokenizer.ggml.bos_token_id", n, d.bos_id));
  GR_RETURN_IF_ERROR(read_special_id(file, "tokenizer.ggml.eos_token_id", n, d.eos_id));
  GR_RETURN_IF_ERROR(read_special_id(file, "tokenizer.ggml.eot_token_id", n, d.eot_id));
  GR_RETURN_IF_ERROR(read_special_id(file, "tokenizer.ggml.unknown_token_id", n, d.unk_id));
  GR_RETURN_IF_ERROR(read_special_id(file, "tokenizer.ggml.padding_token_id", n, d.pad_id));
  GR_RETURN_IF_ERROR(read_optional_bool(file, kAddSpacePrefix, d.add_space_prefix));
  GR_RETURN_IF_ERROR(read_optional_bool(file, kAddBos, d.add_bos));
  GR_RETURN_IF_ERROR(read_optional_bool(file, kAddEos, d.add_eos));
  if (d.add_bos && d.bos_id < 0) return core::corrupt("add_bos_token is true, but bos_token_id is not set");
  if (d.add_eos && d.eos_id < 0) return core::corrupt("add_eos_token is true, but eos_token_id is not set");

  if (file.find(kChatTemplate) != nullptr) {
    GR_ASSIGN_OR_RETURN(d.chat_template, file.get_string(kChatTemplate));
  }
  return d;
}

}  // namespace

core::Result<VocabData> load_vocab_data(const gguf::GgufFile& file) {
  core::Result<VocabData> r = load(file);
  if (!r.is_ok()) return r.status().with_context("loading tokenizer");
  return r;
}

}  // namespace greenroute::engine::vocab
