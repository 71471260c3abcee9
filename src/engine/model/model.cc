// Model loading: file -> config -> weights -> tokenizer.
#include "greenroute/engine/model/model.h"

#include <string>
#include <utility>

namespace greenroute::engine::model {

core::Result<std::unique_ptr<Model>> Model::load(const std::string& path) {
  auto file = gguf::GgufFile::open(path);
  if (!file.is_ok()) return file.status().with_context("loading model '" + path + "'");
  auto model = from_file(std::move(file).value());
  if (!model.is_ok()) return model.status().with_context("loading model '" + path + "'");
  return model;
}

core::Result<std::unique_ptr<Model>> Model::from_file(std::unique_ptr<gguf::GgufFile> file) {
  std::unique_ptr<Model> m(new Model());
  GR_ASSIGN_OR_RETURN(m->config_, parse_model_config(*file));
  GR_ASSIGN_OR_RETURN(m->weights_, map_weights(*file, m->config_));
  for (const gguf::TensorInfo& t : file->tensors()) m->weight_bytes_ += t.n_bytes;

  GR_ASSIGN_OR_RETURN(vocab::VocabData vocab_data, vocab::load_vocab_data(*file));
  GR_ASSIGN_OR_RETURN(m->tokenizer_, vocab::Tokenizer::create(std::move(vocab_data)));
  // llama.cpp accepts an embedding padded beyond the vocabulary, never one
  // smaller than it: every token id must index an embedding row.
  if (m->tokenizer_->n_vocab() > m->config_.n_vocab) {
    return core::corrupt("tokenizer has " + std::to_string(m->tokenizer_->n_vocab()) +
                         " tokens but token_embd.weight has only " + std::to_string(m->config_.n_vocab) + " rows");
  }
  m->file_ = std::move(file);
  return m;
}

}  // namespace greenroute::engine::model
