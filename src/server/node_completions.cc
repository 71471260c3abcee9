// Completions on the embedded engine: validate, tokenize (chat template for
// chat), queue on the EngineWorker, then answer with one JSON body or an SSE
// stream built from the token events, with the cost in usage and headers.
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "greenroute/core/log.h"
#include "greenroute/engine/vocab/chat_template.h"
#include "greenroute/server/sse.h"
#include "node_impl.h"
#include "peer_watch.h"
#include "request_channel.h"

namespace greenroute::server {
namespace {

namespace batch = engine::batch;
constexpr auto kPoll = std::chrono::milliseconds(50);  // how often a waiting handler checks its client

std::string finish_reason_text(batch::FinishReason reason) {
  return reason == batch::FinishReason::kLength ? "length" : "stop";
}

ApiResult<std::vector<batch::GenerationRequest>> prepare(NodeAgent::Impl& node, const OpenAiRequest& r) {
  const engine::context::Context& ctx = *node.deps.context;
  const engine::vocab::Tokenizer& tok = ctx.model().tokenizer();
  const std::int64_t n_ctx = ctx.params().n_ctx;
  std::vector<std::vector<std::int32_t>> prompts;
  std::vector<std::string> params;
  if (r.endpoint == Endpoint::kCompletions) {
    for (std::size_t i = 0; i < r.prompts.size(); ++i) {
      prompts.push_back(tok.tokenize(r.prompts[i], /*add_special=*/true, /*parse_special=*/false));
      node.prompt_bytes->record(r.prompts[i].size(), prompts.back().size());
      params.push_back(r.prompts.size() > 1 ? "prompt[" + std::to_string(i) + "]" : "prompt");
    }
  } else {
    std::vector<engine::vocab::ChatMessage> msgs;
    for (const ChatMessage& m : r.messages) msgs.push_back({m.role, m.content});
    // As llama.cpp's server: a template no family matches falls back to chatml.
    const std::string fallback = node.options.chat_template.empty() ? "chatml" : node.options.chat_template;
    core::Result<std::string> text =
        engine::vocab::apply_chat_template(tok.chat_template(), fallback, msgs, /*add_assistant_prompt=*/true);
    if (!text.is_ok()) {
      return invalid_request("messages", "cannot apply this model's chat template: " + text.status().message(),
                             "chat_template_unavailable");
    }
    // Templates that spell out BOS themselves must not get a second one.
    const bool template_has_bos = tok.bos() >= 0 && text->rfind(tok.token_text(tok.bos()), 0) == 0;
    prompts.push_back(tok.tokenize(*text, /*add_special=*/!template_has_bos, /*parse_special=*/true));
    params.emplace_back("messages");
  }
  const std::uint64_t seed = r.seed ? *r.seed : node.options.seed + node.next_id.fetch_add(1);
  std::vector<batch::GenerationRequest> out;
  for (std::size_t i = 0; i < prompts.size(); ++i) {
    const auto n = static_cast<std::int64_t>(prompts[i].size());
    if (n == 0) return invalid_request(params[i], "'" + params[i] + "' has no tokens", "invalid_value");
    if (n >= n_ctx) {
      return invalid_request(params[i],
                             "'" + params[i] + "' is " + std::to_string(n) + " tokens; this node's context holds " +
                                 std::to_string(n_ctx) + " (prompt and completion together)",
                             "context_length_exceeded");
    }
    batch::GenerationRequest g;
    if (r.max_tokens) {
      if (n + *r.max_tokens > n_ctx) {
        return invalid_request("max_tokens",
                               "'max_tokens' " + std::to_string(*r.max_tokens) + " plus the prompt's " +
                                   std::to_string(n) + " tokens exceed this node's context of " +
                                   std::to_string(n_ctx) + " tokens",
                               "context_length_exceeded");
      }
      g.max_tokens = *r.max_tokens;
    } else {
      g.max_tokens = static_cast<int>(std::min<std::int64_t>(node.options.default_max_tokens, n_ctx - n));
    }
    g.prompt = std::move(prompts[i]);
    g.stop = r.stop;
    g.logprobs = r.logprobs ? r.top_logprobs : 0;
    // OpenAI semantics: temperature and top_p only (no top-k or min-p cut).
    g.sampling.temperature = static_cast<float>(r.temperature);
    g.sampling.top_p = static_cast<float>(r.top_p);
    g.sampling.top_k = 0;
    g.sampling.min_p = 0.0f;
    g.sampling.repeat_penalty = 1.0f;
    g.sampling.seed = seed + i;
    if (core::Status v = g.sampling.validate(); !v.is_ok()) return invalid_request("temperature", v.message());
    out.push_back(std::move(g));
  }
  return out;
}

// Folds a request's token events into its choices and usage.
class Collector {
 public:
  Collector(const engine::vocab::Tokenizer& tok, Endpoint endpoint, std::size_t n, bool logprobs,
            std::int64_t prompt_tokens)
      : tok_(tok), endpoint_(endpoint), logprobs_(logprobs), choices_(n), joules_(n), prompt_tokens_(prompt_tokens) {
    for (std::size_t i = 0; i < n; ++i) {
      choices_[i].index = static_cast<int>(i);
      if (logprobs_) choices_[i].logprobs.emplace();
    }
  }

  // Applies one event and returns the stream delta it makes.
  ChunkDelta apply(const ChannelEvent& e) {
    ChunkDelta d;
    d.index = static_cast<int>(e.prompt);
    Choice& c = choices_.at(e.prompt);
    const batch::TokenEvent& ev = e.event;
    if (ev.token >= 0) {
      ++completion_tokens_;
      if (first_token_ns_ < 0) first_token_ns_ = e.time_ns;
      if (logprobs_) {
        TokenLogprob lp{tok_.token_to_piece(ev.token, true), ev.logprob, {}};
        for (const auto& t : ev.top_logprobs) lp.top.push_back({tok_.token_to_piece(t.token, true), t.logprob});
        c.logprobs->push_back(lp);
        d.logprobs = std::vector<TokenLogprob>{std::move(lp)};
      }
    }
    c.text += ev.text_delta;
    d.text = ev.text_delta;
    if (ev.finished) {
      c.finish_reason = finish_reason_text(ev.reason);
      d.finish_reason = c.finish_reason;
      joules_[e.prompt] = e.energy_joules;
      ++finished_;
    }
    return d;
  }

  bool all_finished() const { return finished_ == choices_.size(); }
  const std::vector<Choice>& choices() const { return choices_; }
  std::int64_t prompt_tokens() const { return prompt_tokens_; }
  std::int64_t completion_tokens() const { return completion_tokens_; }
  std::int64_t first_token_ns() const { return first_token_ns_; }
  // The sum over prompts; unknown if any prompt's energy is.
  std::optional<double> joules() const {
    double sum = 0.0;
    for (const auto& j : joules_) {
      if (!j) return std::nullopt;
      sum += *j;
    }
    return sum;
  }
  Usage usage(const CostInfo& cost) const { return Usage{prompt_tokens_, completion_tokens_, cost}; }
  Endpoint endpoint() const { return endpoint_; }

 private:
  const engine::vocab::Tokenizer& tok_;
  Endpoint endpoint_;
  bool logprobs_;
  std::vector<Choice> choices_;
  std::vector<std::optional<double>> joules_;
  std::int64_t prompt_tokens_;
  std::int64_t completion_tokens_ = 0;
  std::int64_t first_token_ns_ = -1;
  std::size_t finished_ = 0;
};

// Counts a request whose events `collector` folded (tokens, cost, time to first token).
void record_collected(NodeAgent::Impl& node, const Collector& collector, const CostInfo& cost, int status,
                      std::int64_t t0_ns) {
  RequestRecord rec = request_record(node, collector.endpoint(), status, t0_ns, collector.first_token_ns());
  rec.prompt_tokens = collector.prompt_tokens();
  rec.completion_tokens = collector.completion_tokens();
  rec.set_cost(cost);
  record_request(node, rec);
}

// Everything a streaming response needs after the handler has returned.
struct StreamState {
  NodeAgent::Impl* node = nullptr;
  std::shared_ptr<RequestChannel> channel;
  ResponseMeta meta;
  CostInfo cost;
  std::unique_ptr<Collector> collector;
  std::unique_ptr<PeerWatch> peer;
  bool include_usage = false;
  std::int64_t t0_ns = 0;
  std::unique_ptr<InFlight> in_flight;
  bool recorded = false;

  void record(int status) {
    if (recorded) return;
    recorded = true;
    record_collected(*node, *collector, cost, status, t0_ns);
  }

  bool abort() {
    node->worker->cancel(channel->id());
    record(499);  // nginx's "client closed request": no response was delivered
    return false;
  }

  bool run(httplib::DataSink& sink) {
    auto write = [&](const std::string& s) { return sink.write(s.data(), s.size()); };
    if (meta.endpoint == Endpoint::kChatCompletions) {
      ChunkDelta first;
      first.first = true;
      if (!write(sse_event(chunk_json(meta, first)))) return abort();
    }
    std::vector<ChannelEvent> events;
    for (bool done = false; !done;) {
      events.clear();
      done = channel->wait_events(kPoll, events);
      for (const ChannelEvent& e : events) {
        ChunkDelta d = collector->apply(e);
        if (e.event.finished && !channel->failure().is_ok()) continue;  // cancelled by shutdown
        if (e.event.finished && collector->all_finished()) {
          NodeAgent::Impl::charge(cost, collector->joules());
          // Without include_usage the cost rides on the last finish chunk.
          if (!include_usage) d.usage = collector->usage(cost);
        }
        if (d.text.empty() && !d.logprobs && d.finish_reason.empty()) continue;
        if (!write(sse_event(chunk_json(meta, d)))) return abort();
      }
      if (!done && peer->closed()) return abort();
    }
    const core::Status failure = channel->failure();
    if (!failure.is_ok()) {
      // The status line is long gone: end with an error event.
      const ApiError e = api_error_from_status(failure);
      write(sse_error(e));
      write(sse_done());
      sink.done();
      record(e.http_status);
      return true;
    }
    if (include_usage) write(sse_event(usage_chunk_json(meta, collector->usage(cost))));
    write(sse_done());
    sink.done();
    record(200);
    return true;
  }
};

ApiError admission_error(const core::Status& st, Endpoint endpoint) {
  const std::string param = endpoint == Endpoint::kCompletions ? "prompt" : "messages";
  if (st.code() == core::StatusCode::kInvalidArgument) return invalid_request(param, st.message());
  if (st.code() == core::StatusCode::kResourceExhausted) {
    // Generator::submit: this request alone can never fit the memory limit.
    return invalid_request(param, "the request can never fit this node's memory: " + st.message(),
                           "insufficient_memory");
  }
  return api_error_from_status(st);
}

}  // namespace

void handle_embedded_completion(NodeAgent::Impl& node, Endpoint endpoint, const httplib::Request& req,
                                httplib::Response& res) {
  const std::int64_t t0 = node.deps.clock->now_ns();
  auto in_flight = std::make_unique<InFlight>(node.in_flight);
  auto fail = [&](const ApiError& e) { fail_request(node, endpoint, t0, e, res); };
  const std::optional<OpenAiRequest> accepted = accept_completion(node, endpoint, t0, req, res);
  if (!accepted) return;
  const OpenAiRequest& r = *accepted;
  if (r.model != node.options.model_id) {
    ApiError e = invalid_request("model",
                                 "the model '" + r.model + "' does not exist on this node (it serves '" +
                                     node.options.model_id + "')",
                                 "model_not_found");
    e.http_status = 404;
    return fail(e);
  }
  ApiResult<std::vector<batch::GenerationRequest>> prepared = prepare(node, r);
  if (!prepared.is_ok()) return fail(prepared.error());
  std::int64_t prompt_tokens = 0;
  for (const auto& g : prepared.value()) prompt_tokens += static_cast<std::int64_t>(g.prompt.size());

  const std::uint64_t id = node.next_id.fetch_add(1);
  auto channel = std::make_shared<RequestChannel>(id, std::move(prepared).value());
  if (core::Status st = node.worker->submit(channel); !st.is_ok()) {
    return fail(server_error(503, st.message(),
                             st.code() == core::StatusCode::kResourceExhausted ? "overloaded" : "unavailable"));
  }
  if (core::Status st = channel->wait_admission(); !st.is_ok()) return fail(admission_error(st, endpoint));

  ResponseMeta meta{endpoint, make_response_id(endpoint, id), node.unix_now_s(), node.options.model_id};
  CostInfo cost = node.cost_now();
  auto collector = std::make_unique<Collector>(node.deps.context->model().tokenizer(), endpoint, r.choice_count(),
                                               r.logprobs, prompt_tokens);
  auto peer = std::make_unique<PeerWatch>(req.remote_addr, req.remote_port, req.local_port);

  if (r.stream) {
    auto state = std::make_shared<StreamState>();
    state->node = &node;
    state->channel = channel;
    state->meta = meta;
    state->cost = cost;
    state->collector = std::move(collector);
    state->peer = std::move(peer);
    state->include_usage = r.include_usage;
    state->t0_ns = t0;
    state->in_flight = std::move(in_flight);
    add_headers(res, cost_headers(cost, /*measured=*/false));
    serve_sse(res, state);
    return;
  }

  std::vector<ChannelEvent> events;
  for (bool done = false; !done;) {
    events.clear();
    done = channel->wait_events(kPoll, events);
    for (const ChannelEvent& e : events) collector->apply(e);
    if (!done && peer->closed()) {
      node.worker->cancel(id);
      record_request(node, request_record(node, endpoint, 499, t0));
      res.status = 499;
      return;  // nobody to answer
    }
  }
  if (core::Status failure = channel->failure(); !failure.is_ok()) return fail(api_error_from_status(failure));
  NodeAgent::Impl::charge(cost, collector->joules());
  const Usage usage = collector->usage(cost);
  add_headers(res, cost_headers(cost, /*measured=*/true));
  send_json(res, 200, response_json(meta, collector->choices(), usage));
  record_collected(node, *collector, cost, 200, t0);
}

}  // namespace greenroute::server
