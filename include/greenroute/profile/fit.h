// Cost models of a device + model: latency and energy of a batch as a linear
// function of what the batch does, and the least-squares fit that finds them
// from benchmark rows.
//
// For B prompts run together, P mean prompt tokens per prompt and N output
// tokens per prompt (so N decode steps):
//
//   cost = fixed + per_prefill_token * B*P + per_step * N + per_sequence_step * N*B
//
// Prefill cost grows with the tokens it processes (B*P). Each decode step
// streams the weights once whatever the batch (per_step) and then does work
// for every sequence in it (per_sequence_step: its KV cache and its share of
// the matmuls). The form is linear in its coefficients, so ordinary least
// squares finds them; every coefficient is a cost and so must be >= 0.
// TTFT uses the first two terms only: the first token of a batch comes after
// the batch's prefill.
//
// Fitting (fit_cost_model):
//  - Columns are scaled to unit RMS and solved by Householder QR (no normal
//    equations: the design can be poorly conditioned).
//  - Identification: terms are taken in the order fixed, per_sequence_step,
//    per_prefill_token, per_step; a term whose column lies within
//    `collinearity_tol` (relative residual norm) of the span of the terms kept
//    before it is not identified and fixed at 0. With one batch size, N and
//    N*B are proportional, so the decode cost is all charged per sequence
//    (per_step not identified): a conservative model that does not credit
//    batching with savings it never measured. The record says which terms
//    were dropped and why.
//  - Non-negativity: exact NNLS by enumeration. With at most 4 identified
//    terms there are at most 16 candidate active sets; the unconstrained
//    solution on each subset is computed and the feasible one (all >= 0) with
//    the least residual sum of squares wins. That is the NNLS optimum (the
//    optimum is the unconstrained solution on its own support), with no
//    iteration to tune. Identified terms held at 0 are reported as clamped.
//
// Thread contract: plain values and pure functions; thread-safe.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "greenroute/core/status.h"

namespace greenroute::profile {

enum class Term { kFixed = 0, kPrefillToken = 1, kDecodeStep = 2, kSequenceStep = 3 };
inline constexpr int kNumTerms = 4;

// Sets of terms, as bit masks of 1 << Term.
inline constexpr unsigned term_bit(Term t) {
  return 1u << static_cast<unsigned>(t);
}
inline constexpr unsigned kAllTerms = 0xFu;
inline constexpr unsigned kTtftTerms = term_bit(Term::kFixed) | term_bit(Term::kPrefillToken);

// How a term's coefficient came about.
enum class TermState {
  kFitted,         // solved for
  kClampedToZero,  // identified, but held at 0 by non-negativity
  kNotIdentified,  // the data cannot tell it from other terms: fixed at 0
};

enum class FitMethod {
  kNnls,      // least squares on measurements (fit_cost_model)
  kAnalytic,  // set from a derivation (reference profiles); no fit record
};

// How well a fitted model reproduces the points it was fitted on.
struct FitStats {
  int n = 0;            // points used
  double r2 = 0;        // 1 - SS_res / SS_tot (1 when every y is equal and matched)
  double mape_pct = 0;  // mean |pred - y| / |y| over points with y != 0, in percent
  double rmse = 0;      // root mean square residual, in the model's unit (ms or J)
};

// The feature values of one batch: [1, B*P, N, N*B]. Inline, as is
// CostModel::predict: routing evaluates them for every node of every decision.
inline std::array<double, kNumTerms> cost_features(double batch, double prompt_tokens,
                                                   double output_tokens) {
  return {1.0, batch * prompt_tokens, output_tokens, output_tokens * batch};
}

struct CostModel {
  unsigned terms = kAllTerms;            // the terms of the form (kAllTerms or kTtftTerms)
  std::array<double, kNumTerms> coef{};  // indexed by Term; 0 for terms outside `terms`
  std::array<TermState, kNumTerms> state{};
  FitMethod method = FitMethod::kNnls;
  std::optional<FitStats> fit;  // set iff method == kNnls
  std::string note;             // why terms were dropped, if any

  bool uses(Term t) const { return (terms & term_bit(t)) != 0; }
  double coefficient(Term t) const { return coef[static_cast<int>(t)]; }
  // The model's cost for B prompts of P prompt tokens and N output tokens.
  double predict(double batch, double prompt_tokens, double output_tokens) const {
    const auto f = cost_features(batch, prompt_tokens, output_tokens);
    double y = 0;
    for (int t = 0; t < kNumTerms; ++t) {
      if ((terms & (1u << t)) != 0) y += coef[t] * f[t];
    }
    return y;
  }
};

// A model built from known coefficients (method kAnalytic, every term of
// `terms` kFitted, no fit record).
CostModel analytic_model(unsigned terms, const std::array<double, kNumTerms>& coef);

// One observation: a batch and its measured cost.
struct FitPoint {
  double batch = 0;          // B, prompts run together
  double prompt_tokens = 0;  // P, mean per prompt
  double output_tokens = 0;  // N, mean per prompt
  double y = 0;              // the cost (ms or J)
};

struct FitOptions {
  unsigned terms = kAllTerms;
  // A column whose residual, after projecting out the columns kept before
  // it, is below this fraction of its own norm is not identified.
  double collinearity_tol = 1e-3;
  // Refuse (kUnavailable) when fewer slope terms (anything but kFixed) are
  // identified: a constant latency model predicts nothing useful. TTFT
  // accepts 0 (one prompt size: a constant TTFT is what was measured).
  int min_identified_slopes = 1;
};

// Fits `options.terms` to the points (see the header comment). Errors:
// kUnavailable when there are no points or the design is degenerate (fewer
// identified slopes than asked for); kInvalidArgument when there are fewer
// points than terms in the form, or a value is negative or not finite (the
// message names the point).
core::Result<CostModel> fit_cost_model(const std::vector<FitPoint>& points,
                                       const FitOptions& options);

// Evaluates `model` on `points` (the FitStats a fit reports).
FitStats evaluate_fit(const CostModel& model, const std::vector<FitPoint>& points);

// "fitted", "clamped_to_zero", "not_identified".
std::string_view term_state_name(TermState state);

}  // namespace greenroute::profile
