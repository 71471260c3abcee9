// Rng: a small, explicit, seedable random generator (xoshiro256**).
//
// All randomness in greenroute flows from an Rng passed in by the caller, so
// a seed reproduces a run exactly (sampling, synthetic weights, simulation).
// Thread-compatible: one owner per instance.
#pragma once

#include <cstdint>

namespace greenroute::core {

class Rng {
 public:
  explicit Rng(std::uint64_t seed);

  std::uint64_t next_u64();
  // Uniform in [0, 1) with 24 bits of precision.
  float uniform_float();
  // Uniform in [0, 1) with 53 bits of precision.
  double uniform_double();
  // Standard normal (Box-Muller).
  double normal();

 private:
  std::uint64_t s_[4];
};

}  // namespace greenroute::core
