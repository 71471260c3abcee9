#include "greenroute/profile/fit.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

namespace greenroute::profile {
namespace {

// Identification order: the intercept, then the term that carries the decode
// cost even with one batch size (N*B), then prefill, then the per-step term
// (see fit.h for why this order is the conservative one).
constexpr std::array<Term, kNumTerms> kIdentifyOrder = {Term::kFixed, Term::kSequenceStep,
                                                        Term::kPrefillToken, Term::kDecodeStep};

// Once the identified set is known, every subset of it is independent; a
// column still this close to dependent means a numerical accident.
constexpr double kSubsetTol = 1e-12;

const char* generic_term_name(Term t) {
  switch (t) {
    case Term::kFixed:
      return "fixed";
    case Term::kPrefillToken:
      return "per_prefill_token";
    case Term::kDecodeStep:
      return "per_step";
    case Term::kSequenceStep:
      return "per_sequence_step";
  }
  return "?";
}

int index_of(Term t) {
  return static_cast<int>(t);
}

// The design matrix with unit-RMS columns (scaling does not change the
// solution, only the conditioning of each Householder step).
struct Design {
  std::vector<std::array<double, kNumTerms>> x;  // n rows, scaled
  std::array<double, kNumTerms> scale{};         // x_scaled = x / scale
  std::vector<double> y;
};

Design make_design(const std::vector<FitPoint>& points) {
  Design d;
  d.x.reserve(points.size());
  std::array<double, kNumTerms> sumsq{};
  for (const FitPoint& p : points) {
    const auto f = cost_features(p.batch, p.prompt_tokens, p.output_tokens);
    for (int t = 0; t < kNumTerms; ++t) sumsq[t] += f[t] * f[t];
    d.x.push_back(f);
    d.y.push_back(p.y);
  }
  const double n = static_cast<double>(points.size());
  for (int t = 0; t < kNumTerms; ++t) {
    const double rms = std::sqrt(sumsq[t] / n);
    d.scale[t] = rms > 0 ? rms : 1.0;
  }
  for (auto& row : d.x) {
    for (int t = 0; t < kNumTerms; ++t) row[t] /= d.scale[t];
  }
  return d;
}

// Least squares of y on the scaled columns `cols` by Householder QR, in the
// order given. nullopt when a column's part orthogonal to the columns before
// it is at most `tol` times its own norm (or there are fewer rows than
// columns): the column is not identified after them.
std::optional<std::vector<double>> qr_solve(const Design& d, const std::vector<int>& cols,
                                            double tol) {
  const std::size_t n = d.y.size();
  const std::size_t k = cols.size();
  if (k > n) return std::nullopt;
  std::vector<std::vector<double>> a(k, std::vector<double>(n));  // a[j][i]: column j, row i
  std::vector<double> norm0(k, 0.0);
  for (std::size_t j = 0; j < k; ++j) {
    for (std::size_t i = 0; i < n; ++i) a[j][i] = d.x[i][cols[j]];
    double s = 0;
    for (double v : a[j]) s += v * v;
    norm0[j] = std::sqrt(s);
  }
  std::vector<double> b = d.y;
  std::vector<double> r_diag(k, 0.0);
  for (std::size_t j = 0; j < k; ++j) {
    double s = 0;
    for (std::size_t i = j; i < n; ++i) s += a[j][i] * a[j][i];
    const double norm = std::sqrt(s);
    if (norm0[j] == 0 || norm <= tol * norm0[j]) return std::nullopt;
    const double alpha = a[j][j] > 0 ? -norm : norm;
    std::vector<double> v(a[j].begin() + static_cast<std::ptrdiff_t>(j), a[j].end());
    v[0] -= alpha;
    double vv = 0;
    for (double e : v) vv += e * e;
    r_diag[j] = alpha;
    if (vv == 0) continue;  // already in R form
    auto reflect = [&](std::vector<double>& col) {
      double dot = 0;
      for (std::size_t i = j; i < n; ++i) dot += v[i - j] * col[i];
      const double f = 2.0 * dot / vv;
      for (std::size_t i = j; i < n; ++i) col[i] -= f * v[i - j];
    };
    for (std::size_t c = j + 1; c < k; ++c) reflect(a[c]);
    reflect(b);
  }
  // Back substitution: R beta = (Q^T b)[0:k]; R's off-diagonal entries are
  // a[c][j] for c > j (the reflected columns), its diagonal r_diag.
  std::vector<double> beta(k, 0.0);
  for (std::size_t jj = k; jj-- > 0;) {
    double s = b[jj];
    for (std::size_t c = jj + 1; c < k; ++c) s -= a[c][jj] * beta[c];
    beta[jj] = s / r_diag[jj];
  }
  return beta;
}

double residual_ss(const Design& d, const std::vector<int>& cols, const std::vector<double>& beta) {
  double ss = 0;
  for (std::size_t i = 0; i < d.y.size(); ++i) {
    double pred = 0;
    for (std::size_t j = 0; j < cols.size(); ++j) pred += d.x[i][cols[j]] * beta[j];
    const double r = d.y[i] - pred;
    ss += r * r;
  }
  return ss;
}

core::Status check_points(const std::vector<FitPoint>& points) {
  for (std::size_t i = 0; i < points.size(); ++i) {
    const FitPoint& p = points[i];
    auto bad = [&](const char* field, double v, const char* rule) {
      return core::invalid_argument("point " + std::to_string(i) + ": " + field + " must be " +
                                    rule + " (is " + std::to_string(v) + ")");
    };
    if (!std::isfinite(p.batch) || p.batch <= 0) return bad("batch", p.batch, "> 0");
    if (!std::isfinite(p.prompt_tokens) || p.prompt_tokens < 0)
      return bad("prompt_tokens", p.prompt_tokens, ">= 0");
    if (!std::isfinite(p.output_tokens) || p.output_tokens < 0)
      return bad("output_tokens", p.output_tokens, ">= 0");
    if (!std::isfinite(p.y) || p.y < 0) return bad("y", p.y, ">= 0");
  }
  return core::Status::ok();
}

// How many distinct values `key` takes over the points (relative tolerance).
template <typename Key>
int distinct_values(const std::vector<FitPoint>& points, Key key) {
  std::vector<double> v;
  for (const FitPoint& p : points) v.push_back(key(p));
  std::sort(v.begin(), v.end());
  int count = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i == 0 || std::abs(v[i] - v[i - 1]) > 1e-9 * std::max(1.0, std::abs(v[i]))) ++count;
  }
  return count;
}

// Why terms could not be identified, in the sweep's own words.
std::string degeneracy_reason(const std::vector<FitPoint>& points) {
  std::vector<std::string> why;
  if (distinct_values(points, [](const FitPoint& p) { return p.batch; }) == 1)
    why.push_back("one batch size");
  if (distinct_values(points, [](const FitPoint& p) { return p.output_tokens; }) == 1) {
    why.push_back("one output length");
  }
  if (distinct_values(points, [](const FitPoint& p) { return p.batch * p.prompt_tokens; }) == 1) {
    why.push_back("one prompt-token total per batch");
  }
  if (why.empty()) return "collinear with the terms kept before them";
  std::string out = "the data has ";
  for (std::size_t i = 0; i < why.size(); ++i) out += (i == 0 ? "" : ", ") + why[i];
  return out;
}

std::string join_terms(const std::vector<Term>& terms) {
  std::string out;
  for (std::size_t i = 0; i < terms.size(); ++i)
    out += (i == 0 ? "" : ", ") + std::string(generic_term_name(terms[i]));
  return out;
}

}  // namespace

CostModel analytic_model(unsigned terms, const std::array<double, kNumTerms>& coef) {
  CostModel m;
  m.terms = terms;
  m.method = FitMethod::kAnalytic;
  for (int t = 0; t < kNumTerms; ++t) {
    const bool used = (terms & (1u << t)) != 0;
    m.coef[t] = used ? coef[t] : 0.0;
    m.state[t] = used ? TermState::kFitted : TermState::kNotIdentified;
  }
  return m;
}

FitStats evaluate_fit(const CostModel& model, const std::vector<FitPoint>& points) {
  FitStats s;
  s.n = static_cast<int>(points.size());
  if (points.empty()) return s;
  double mean = 0;
  for (const FitPoint& p : points) mean += p.y;
  mean /= static_cast<double>(points.size());
  double ss_res = 0, ss_tot = 0, ape = 0, yy = 0;
  int ape_n = 0;
  for (const FitPoint& p : points) {
    const double r = p.y - model.predict(p.batch, p.prompt_tokens, p.output_tokens);
    ss_res += r * r;
    ss_tot += (p.y - mean) * (p.y - mean);
    yy += p.y * p.y;
    if (p.y != 0) {
      ape += std::abs(r) / std::abs(p.y);
      ++ape_n;
    }
  }
  // With every y equal there is no variance to explain: a model that matches
  // them explains all of it.
  if (ss_tot > 1e-24 * std::max(yy, 1.0)) {
    s.r2 = 1.0 - ss_res / ss_tot;
  } else {
    s.r2 = ss_res <= 1e-18 * std::max(yy, 1.0) ? 1.0 : 0.0;
  }
  s.mape_pct = ape_n > 0 ? 100.0 * ape / ape_n : 0.0;
  s.rmse = std::sqrt(ss_res / static_cast<double>(points.size()));
  return s;
}

core::Result<CostModel> fit_cost_model(const std::vector<FitPoint>& points,
                                       const FitOptions& options) {
  const int n_terms = std::popcount(options.terms & kAllTerms);
  if (n_terms == 0 || (options.terms & term_bit(Term::kFixed)) == 0) {
    return core::invalid_argument("a cost model needs the fixed term and at least one other");
  }
  if (points.empty())
    return core::unavailable("no points to fit (every row saturated, or none given)");
  if (static_cast<int>(points.size()) < n_terms) {
    return core::invalid_argument("need at least " + std::to_string(n_terms) + " points to fit " +
                                  std::to_string(n_terms) + " terms, have " +
                                  std::to_string(points.size()));
  }
  GR_RETURN_IF_ERROR(check_points(points));
  const Design d = make_design(points);

  // Identification: keep a term only if its column adds a direction.
  std::vector<int> kept;
  std::vector<Term> dropped;
  for (Term t : kIdentifyOrder) {
    if ((options.terms & term_bit(t)) == 0) continue;
    std::vector<int> trial = kept;
    trial.push_back(index_of(t));
    if (qr_solve(d, trial, options.collinearity_tol)) {
      kept = std::move(trial);
    } else {
      dropped.push_back(t);
    }
  }
  const int slopes = static_cast<int>(kept.size()) - 1;  // kFixed is always kept first
  if (slopes < options.min_identified_slopes) {
    return core::unavailable(
        "degenerate design: " + degeneracy_reason(points) +
        ", so no per-token cost can be told from the fixed cost; sweep at least two "
        "batch sizes or two output lengths");
  }

  // NNLS by enumeration of the candidate supports, largest first; a smaller
  // support must beat the best so far by more than rounding to replace it.
  const std::size_t k = kept.size();
  std::vector<unsigned> masks;
  for (unsigned m = 0; m < (1u << k); ++m) masks.push_back(m);
  std::stable_sort(masks.begin(), masks.end(),
                   [](unsigned a, unsigned b) { return std::popcount(a) > std::popcount(b); });
  double yy = 0;
  for (double v : d.y) yy += v * v;
  const double eps = 1e-12 * std::max(yy, 1e-300);
  std::optional<double> best_rss;
  std::vector<int> best_cols;
  std::vector<double> best_beta;
  for (unsigned m : masks) {
    std::vector<int> cols;
    for (std::size_t j = 0; j < k; ++j) {
      if ((m >> j) & 1u) cols.push_back(kept[j]);
    }
    std::vector<double> beta;
    if (!cols.empty()) {
      auto solved = qr_solve(d, cols, kSubsetTol);
      if (!solved) continue;
      beta = std::move(*solved);
      if (std::any_of(beta.begin(), beta.end(), [](double b) { return b < 0; })) continue;
    }
    const double rss = residual_ss(d, cols, beta);
    if (!best_rss || rss < *best_rss - eps) {
      best_rss = rss;
      best_cols = cols;
      best_beta = beta;
    }
  }

  CostModel model;
  model.terms = options.terms;
  model.method = FitMethod::kNnls;
  for (int t = 0; t < kNumTerms; ++t) model.state[t] = TermState::kNotIdentified;
  std::vector<Term> clamped;
  for (int c : kept) {
    const auto it = std::find(best_cols.begin(), best_cols.end(), c);
    if (it == best_cols.end()) {
      model.state[c] = TermState::kClampedToZero;
      clamped.push_back(static_cast<Term>(c));
    } else {
      model.state[c] = TermState::kFitted;
      model.coef[c] = best_beta[static_cast<std::size_t>(it - best_cols.begin())] / d.scale[c];
    }
  }
  if (!dropped.empty()) {
    model.note =
        "not identified (" + degeneracy_reason(points) + "), held at 0: " + join_terms(dropped);
  }
  if (!clamped.empty()) {
    if (!model.note.empty()) model.note += "; ";
    model.note += "clamped to 0 by non-negativity: " + join_terms(clamped);
  }
  model.fit = evaluate_fit(model, points);
  return model;
}

std::string_view term_state_name(TermState state) {
  switch (state) {
    case TermState::kFitted:
      return "fitted";
    case TermState::kClampedToZero:
      return "clamped_to_zero";
    case TermState::kNotIdentified:
      return "not_identified";
  }
  return "?";
}

}  // namespace greenroute::profile
