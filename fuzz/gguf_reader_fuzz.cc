// libFuzzer target: GgufFile::from_memory on arbitrary bytes.
//
// Beyond "does not crash", an accepted input must be fully usable: every
// metadata value and getter and every tensor byte is touched (so ASan sees any
// pointer the reader should not have handed out), and re-writing what was read
// must give a file the reader accepts and that re-writes to the same bytes.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "greenroute/engine/gguf/gguf_file.h"

namespace gguf = greenroute::engine::gguf;

namespace {

volatile std::uint64_t g_sink = 0;  // keeps the touching reads from being optimised away

void touch(const gguf::GgufFile& f) {
  std::uint64_t sum = f.version() + f.alignment() + f.data_offset();
  for (const gguf::KeyValue& kv : f.metadata()) {
    sum += kv.key.size();
    if (f.find(kv.key) == nullptr) std::abort();
    // Exercise every getter; each returns a value or a Status, never throws.
    sum += f.get_string(kv.key).is_ok() + f.get_uint(kv.key).is_ok() + f.get_int(kv.key).is_ok() +
           f.get_float(kv.key).is_ok() + f.get_bool(kv.key).is_ok() + f.get_array(kv.key).is_ok();
    if (const auto* a = std::get_if<gguf::ArrayValue>(&kv.value.data)) {
      sum += a->size();
      for (const auto& s : a->strings) sum += s.empty() ? 0 : static_cast<unsigned char>(s.back());
      for (auto v : a->uints) sum += v;
      for (auto v : a->ints) sum += static_cast<std::uint64_t>(v);
      for (auto v : a->floats) sum += v == v ? 1 : 0;
    } else if (const auto* s = std::get_if<std::string>(&kv.value.data)) {
      sum += s->size();
    }
  }
  for (const gguf::TensorInfo& t : f.tensors()) {
    if (f.find_tensor(t.name) == nullptr) std::abort();
    const std::uint8_t* p = f.tensor_data(t);
    for (std::uint64_t i = 0; i < t.n_bytes; ++i) sum += p[i];
  }
  g_sink = g_sink + sum;
}

std::vector<std::uint8_t> rewrite(const gguf::GgufFile& f) {
  gguf::GgufWriter w;
  for (const gguf::KeyValue& kv : f.metadata()) w.set(kv.key, kv.value);
  for (const gguf::TensorInfo& t : f.tensors()) {
    const std::uint8_t* p = f.tensor_data(t);
    const auto st = w.add_tensor(t.name, t.type, t.shape, std::vector<std::uint8_t>(p, p + t.n_bytes));
    if (!st.is_ok()) std::abort();  // the reader accepted a tensor the writer refuses
  }
  return w.serialize();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parsed = gguf::GgufFile::from_memory(std::span<const std::uint8_t>(data, size));
  if (!parsed.is_ok()) {
    if (parsed.status().message().empty()) std::abort();
    return 0;
  }
  touch(*parsed.value());
  // Any power of two is a valid alignment, but re-writing pads the header up
  // to it: a 1 GiB alignment would make the round trip allocate 1 GiB.
  if (parsed.value()->alignment() > (1u << 16)) return 0;
  // Reader and writer must agree: write what was read, read it back, write again.
  const std::vector<std::uint8_t> once = rewrite(*parsed.value());
  auto reparsed = gguf::GgufFile::from_memory(once);
  if (!reparsed.is_ok()) std::abort();
  if (reparsed.value()->metadata().size() != parsed.value()->metadata().size() ||
      reparsed.value()->tensors().size() != parsed.value()->tensors().size()) {
    std::abort();
  }
  if (rewrite(*reparsed.value()) != once) std::abort();
  return 0;
}
