#include "greenroute/engine/quant/ggml_type.h"

#include <array>
#include <cctype>
#include <string>

namespace greenroute::engine::quant {

namespace {

// Block layouts as ggml defines them (ggml-common.h). QK_K = 256.
constexpr std::array kTable = {
    TypeTraits{GgmlType::kF32, "f32", 1, 4, true},
    TypeTraits{GgmlType::kF16, "f16", 1, 2, true},
    TypeTraits{GgmlType::kQ4_0, "q4_0", 32, 18, true},
    TypeTraits{GgmlType::kQ4_1, "q4_1", 32, 20, false},
    TypeTraits{GgmlType::kQ5_0, "q5_0", 32, 22, false},
    TypeTraits{GgmlType::kQ5_1, "q5_1", 32, 24, false},
    TypeTraits{GgmlType::kQ8_0, "q8_0", 32, 34, true},
    TypeTraits{GgmlType::kQ8_1, "q8_1", 32, 36, false},
    TypeTraits{GgmlType::kQ2_K, "q2_K", 256, 84, false},
    TypeTraits{GgmlType::kQ3_K, "q3_K", 256, 110, false},
    TypeTraits{GgmlType::kQ4_K, "q4_K", 256, 144, true},
    TypeTraits{GgmlType::kQ5_K, "q5_K", 256, 176, false},
    TypeTraits{GgmlType::kQ6_K, "q6_K", 256, 210, true},
    TypeTraits{GgmlType::kQ8_K, "q8_K", 256, 292, false},
    TypeTraits{GgmlType::kIQ2_XXS, "iq2_xxs", 256, 66, false},
    TypeTraits{GgmlType::kIQ2_XS, "iq2_xs", 256, 74, false},
    TypeTraits{GgmlType::kIQ3_XXS, "iq3_xxs", 256, 98, false},
    TypeTraits{GgmlType::kIQ1_S, "iq1_s", 256, 50, false},
    TypeTraits{GgmlType::kIQ4_NL, "iq4_nl", 32, 18, false},
    TypeTraits{GgmlType::kIQ3_S, "iq3_s", 256, 110, false},
    TypeTraits{GgmlType::kIQ2_S, "iq2_s", 256, 82, false},
    TypeTraits{GgmlType::kIQ4_XS, "iq4_xs", 256, 136, false},
    TypeTraits{GgmlType::kI8, "i8", 1, 1, false},
    TypeTraits{GgmlType::kI16, "i16", 1, 2, false},
    TypeTraits{GgmlType::kI32, "i32", 1, 4, false},
    TypeTraits{GgmlType::kI64, "i64", 1, 8, false},
    TypeTraits{GgmlType::kF64, "f64", 1, 8, false},
    TypeTraits{GgmlType::kIQ1_M, "iq1_m", 256, 56, false},
    TypeTraits{GgmlType::kBF16, "bf16", 1, 2, true},
    TypeTraits{GgmlType::kTQ1_0, "tq1_0", 256, 54, false},
    TypeTraits{GgmlType::kTQ2_0, "tq2_0", 256, 66, false},
};

}  // namespace

std::optional<TypeTraits> type_traits(std::uint32_t raw_type) {
  for (const auto& t : kTable) {
    if (static_cast<std::uint32_t>(t.type) == raw_type) return t;
  }
  return std::nullopt;
}

const TypeTraits& traits(GgmlType type) {
  for (const auto& t : kTable) {
    if (t.type == type) return t;
  }
  return kTable[0];  // unreachable for a valid enum value
}

std::string_view type_name(GgmlType type) { return traits(type).name; }

std::optional<GgmlType> parse_type_name(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& t : kTable) {
    std::string tn(t.name);
    for (char& c : tn) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (tn == lower) return t.type;
  }
  return std::nullopt;
}

bool is_valid_row_length(GgmlType type, std::uint64_t n) { return n % traits(type).block_size == 0; }

std::size_t row_bytes(GgmlType type, std::uint64_t n) {
  const TypeTraits& t = traits(type);
  return static_cast<std::size_t>(n / t.block_size * t.type_size);
}

}  // namespace greenroute::engine::quant
