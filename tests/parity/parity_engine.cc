#include "parity/parity_engine.h"

#include <span>
#include <utility>

#include "greenroute/core/clock.h"
#include "greenroute/engine/batch/generator.h"

namespace greenroute::parity {

using engine::context::Context;
using engine::context::SequenceChunk;

core::Result<std::vector<float>> prompt_logits(Context& ctx, const TokenList& prompt) {
  GR_ASSIGN_OR_RETURN(const int seq, ctx.add_sequence());
  std::vector<float> logits;
  const SequenceChunk chunk{seq, std::span<const std::int32_t>(prompt)};
  const core::Status st = ctx.decode(std::span<const SequenceChunk>(&chunk, 1), logits);
  ctx.remove_sequence(seq);
  if (!st.is_ok()) return st;
  return logits;
}

core::Result<std::vector<std::vector<std::vector<float>>>> forced_path_logits(
    Context& ctx, const std::vector<TokenList>& prompts, const std::vector<TokenList>& paths) {
  if (prompts.size() != paths.size()) return core::invalid_argument("one path per prompt");
  const std::size_t n = prompts.size();
  const auto n_vocab = static_cast<std::size_t>(ctx.n_vocab());
  std::vector<int> seqs;
  auto release = [&] {
    for (int s : seqs) ctx.remove_sequence(s);
  };
  for (std::size_t p = 0; p < n; ++p) {
    auto seq = ctx.add_sequence();
    if (!seq.is_ok()) {
      release();
      return seq.status();
    }
    seqs.push_back(*seq);
  }
  std::vector<std::vector<std::vector<float>>> out(n);
  std::vector<float> logits;
  std::vector<SequenceChunk> chunks;
  std::vector<std::size_t> owner;
  // Step k feeds the prompt (k == 0) or path token k-1, for every prompt whose
  // path still needs logits at step k.
  for (std::size_t k = 0;; ++k) {
    chunks.clear();
    owner.clear();
    for (std::size_t p = 0; p < n; ++p) {
      if (k >= paths[p].size()) continue;
      const std::span<const std::int32_t> tokens =
          k == 0 ? std::span<const std::int32_t>(prompts[p]) : std::span<const std::int32_t>(&paths[p][k - 1], 1);
      chunks.push_back({seqs[p], tokens});
      owner.push_back(p);
    }
    if (chunks.empty()) break;
    const core::Status st = ctx.decode(chunks, logits);
    if (!st.is_ok()) {
      release();
      return st;
    }
    for (std::size_t c = 0; c < owner.size(); ++c) {
      const float* row = logits.data() + c * n_vocab;
      out[owner[c]].emplace_back(row, row + n_vocab);
    }
  }
  release();
  return out;
}

core::Result<std::vector<TokenList>> generate_greedy(Context& ctx, const std::vector<TokenList>& prompts,
                                                     int max_tokens) {
  core::SteadyClock clock;
  engine::batch::Generator gen(ctx, clock);
  std::vector<engine::batch::GenerationRequest> requests;
  for (const TokenList& prompt : prompts) {
    engine::batch::GenerationRequest r;
    r.prompt = prompt;
    r.sampling.temperature = 0.0f;
    r.sampling.top_k = 0;
    r.sampling.top_p = 1.0f;
    r.sampling.min_p = 0.0f;
    r.sampling.repeat_penalty = 1.0f;
    r.max_tokens = max_tokens;
    requests.push_back(std::move(r));
  }
  GR_ASSIGN_OR_RETURN(auto results, gen.run_to_completion(std::move(requests), static_cast<int>(prompts.size())));
  std::vector<TokenList> out;
  for (auto& r : results) out.push_back(std::move(r.tokens));
  return out;
}

}  // namespace greenroute::parity
