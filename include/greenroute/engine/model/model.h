// Model: a loaded llama-family model (llama, qwen2): its GGUF file (mapped),
// validated hyperparameters, weight views and tokenizer.
//
// Loading checks everything the forward pass relies on (architecture, every
// tensor's presence, shape and type), so inference never meets a bad tensor.
//
// Thread contract: immutable after load(); thread-safe to share between
// contexts (each Context reads it, none writes it).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "greenroute/core/status.h"
#include "greenroute/engine/gguf/gguf_file.h"
#include "greenroute/engine/model/memory_model.h"
#include "greenroute/engine/model/model_config.h"
#include "greenroute/engine/model/model_weights.h"
#include "greenroute/engine/vocab/tokenizer.h"

namespace greenroute::engine::model {

class Model {
 public:
  // Opens and validates a GGUF model file.
  static core::Result<std::unique_ptr<Model>> load(const std::string& path);
  // Builds a model over an already opened file (tests: GgufFile::from_memory).
  static core::Result<std::unique_ptr<Model>> from_file(std::unique_ptr<gguf::GgufFile> file);

  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  const ModelConfig& config() const { return config_; }
  const vocab::Tokenizer& tokenizer() const { return *tokenizer_; }
  const gguf::GgufFile& file() const { return *file_; }
  const ModelWeights& weights() const { return weights_; }
  const LayerWeights& layer(std::int64_t il) const { return weights_.layers[static_cast<std::size_t>(il)]; }
  // Bytes of all tensors in the file (what the mapping keeps resident).
  std::uint64_t weight_bytes() const { return weight_bytes_; }

  MemoryModel memory_model(const MemoryParams& params) const {
    return MemoryModel::create(config_, weight_bytes_, params);
  }

 private:
  Model() = default;

  std::unique_ptr<gguf::GgufFile> file_;
  ModelConfig config_;
  ModelWeights weights_;
  std::unique_ptr<vocab::Tokenizer> tokenizer_;
  std::uint64_t weight_bytes_ = 0;
};

}  // namespace greenroute::engine::model
