#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "greenroute/core/check.h"
#include "greenroute/engine/gguf/gguf_file.h"
#include "gguf/gguf_format.h"
#include "gguf/value_writer.h"

namespace greenroute::engine::gguf {

namespace {

// Appends to a byte vector (serialize()).
class VectorSink final : public ByteSink {
 public:
  explicit VectorSink(std::vector<std::uint8_t>& out) : out_(out) {}
  void append(const void* data, std::size_t n) override {
    const auto* p = static_cast<const std::uint8_t*>(data);
    out_.insert(out_.end(), p, p + n);
  }

 private:
  std::vector<std::uint8_t>& out_;
};

// Buffered writes to a file descriptor; remembers the first error.
class FdSink final : public ByteSink {
 public:
  explicit FdSink(int fd) : fd_(fd) { buf_.reserve(kBufferSize); }
  void append(const void* data, std::size_t n) override {
    const auto* p = static_cast<const std::uint8_t*>(data);
    if (n >= kBufferSize) {
      flush();
      write_all(p, n);
      return;
    }
    if (buf_.size() + n > kBufferSize) flush();
    buf_.insert(buf_.end(), p, p + n);
  }
  void flush() {
    write_all(buf_.data(), buf_.size());
    buf_.clear();
  }
  int error() const { return errno_; }

 private:
  static constexpr std::size_t kBufferSize = 1 << 20;
  void write_all(const std::uint8_t* p, std::size_t n) {
    while (n > 0 && errno_ == 0) {
      const ssize_t w = ::write(fd_, p, n);
      if (w < 0) {
        if (errno == EINTR) continue;
        errno_ = errno;
        return;
      }
      p += w;
      n -= static_cast<std::size_t>(w);
    }
  }
  int fd_;
  int errno_ = 0;
  std::vector<std::uint8_t> buf_;
};

}  // namespace

namespace {

template <typename Pending>
std::vector<TensorRecord> records_of(const std::vector<Pending>& tensors) {
  std::vector<TensorRecord> out;
  out.reserve(tensors.size());
  for (const auto& t : tensors) out.push_back(TensorRecord{t.name, t.type, t.shape, t.data});
  return out;
}

}  // namespace

void GgufWriter::set_uint32(std::string key, std::uint32_t v) { set(std::move(key), Value{ValueType::kUint32, std::uint64_t{v}}); }
void GgufWriter::set_int32(std::string key, std::int32_t v) { set(std::move(key), Value{ValueType::kInt32, std::int64_t{v}}); }
void GgufWriter::set_uint64(std::string key, std::uint64_t v) { set(std::move(key), Value{ValueType::kUint64, v}); }
void GgufWriter::set_float32(std::string key, float v) { set(std::move(key), Value{ValueType::kFloat32, double{v}}); }
void GgufWriter::set_bool(std::string key, bool v) { set(std::move(key), Value{ValueType::kBool, v}); }
void GgufWriter::set_string(std::string key, std::string v) { set(std::move(key), Value{ValueType::kString, std::move(v)}); }

void GgufWriter::set_string_array(std::string key, std::vector<std::string> v) {
  ArrayValue a;
  a.element_type = ValueType::kString;
  a.strings = std::move(v);
  set(std::move(key), Value{ValueType::kArray, std::move(a)});
}

void GgufWriter::set_float32_array(std::string key, std::vector<float> v) {
  ArrayValue a;
  a.element_type = ValueType::kFloat32;
  a.floats.assign(v.begin(), v.end());
  set(std::move(key), Value{ValueType::kArray, std::move(a)});
}

void GgufWriter::set_int32_array(std::string key, std::vector<std::int32_t> v) {
  ArrayValue a;
  a.element_type = ValueType::kInt32;
  a.ints.assign(v.begin(), v.end());
  set(std::move(key), Value{ValueType::kArray, std::move(a)});
}

void GgufWriter::set(std::string key, Value v) {
  // Keep alignment_ and the key the reader uses in step, whichever way it was set.
  if (key == format::kAlignmentKey && v.type == ValueType::kUint32 && std::holds_alternative<std::uint64_t>(v.data)) {
    const std::uint64_t a = std::get<std::uint64_t>(v.data);
    if (a <= std::numeric_limits<std::uint32_t>::max()) alignment_ = static_cast<std::uint32_t>(a);
  }
  for (KeyValue& kv : kv_) {
    if (kv.key == key) {
      kv.value = std::move(v);
      return;
    }
  }
  kv_.push_back(KeyValue{std::move(key), std::move(v)});
}

void GgufWriter::set_alignment(std::uint32_t alignment) {
  set(std::string(format::kAlignmentKey), Value{ValueType::kUint32, std::uint64_t{alignment}});
}

core::Status GgufWriter::add_tensor(std::string name, quant::GgmlType type, std::vector<std::uint64_t> shape,
                                    std::vector<std::uint8_t> data) {
  if (name.empty()) return core::invalid_argument("tensor name is empty");
  if (name.size() > format::kMaxTensorNameLength) {
    return core::invalid_argument("tensor " + format::quote(name) + ": name longer than " +
                                  std::to_string(format::kMaxTensorNameLength) + " bytes");
  }
  for (const PendingTensor& t : tensors_) {
    if (t.name == name) return core::invalid_argument("tensor " + format::quote(name) + ": added twice");
  }
  if (!quant::type_traits(static_cast<std::uint32_t>(type))) {
    return core::invalid_argument("tensor " + format::quote(name) + ": unknown ggml type id " +
                                  std::to_string(static_cast<std::uint32_t>(type)));
  }
  auto size = format::tensor_size(name, type, shape);
  if (!size.is_ok()) return core::invalid_argument(size.status().message());
  if (data.size() != size->n_bytes) {
    return core::invalid_argument("tensor " + format::quote(name) + ": " + std::to_string(data.size()) +
                                  " data bytes given, shape " + format::shape_string(shape) + " as " +
                                  std::string(quant::type_name(type)) + " needs " + std::to_string(size->n_bytes));
  }
  tensors_.push_back(PendingTensor{std::move(name), type, std::move(shape), std::move(data)});
  return core::Status::ok();
}

core::Status GgufWriter::write(const std::string& path) const {
  GR_RETURN_IF_ERROR(validate_metadata(kv_, alignment_));
  std::string tmp = path + ".tmp.XXXXXX";
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) return core::io_error("cannot create a temporary file beside '" + path + "': " + std::strerror(errno));
  FdSink sink(fd);
  emit_gguf(sink, kv_, records_of(tensors_), alignment_);
  sink.flush();
  int err = sink.error();
  if (::close(fd) != 0 && err == 0) err = errno;
  // mkstemp creates 0600; a model file should be readable like any other output.
  if (err == 0) {
    const mode_t mask = ::umask(0);
    ::umask(mask);
    if (::chmod(tmp.c_str(), 0666 & ~mask) != 0) err = errno;
  }
  if (err == 0 && ::rename(tmp.c_str(), path.c_str()) != 0) err = errno;
  if (err != 0) {
    ::unlink(tmp.c_str());
    return core::io_error("cannot write '" + path + "': " + std::strerror(err));
  }
  return core::Status::ok();
}

std::vector<std::uint8_t> GgufWriter::serialize() const {
  // A malformed Value given to set() is a programming error of the caller
  // (write() reports it as a Status; this accessor has no way to).
  GR_CHECK(validate_metadata(kv_, alignment_).is_ok());
  std::vector<std::uint8_t> out;
  VectorSink sink(out);
  emit_gguf(sink, kv_, records_of(tensors_), alignment_);
  return out;
}

}  // namespace greenroute::engine::gguf
