#include "greenroute/engine/gguf/gguf_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>

#include "gguf/gguf_parser.h"

namespace greenroute::engine::gguf {

namespace {

core::Status os_error(const std::string& path, std::string_view what, int err) {
  std::string msg = std::string(what) + " '" + path + "': " + std::strerror(err);
  if (err == ENOENT) return core::not_found(std::move(msg));
  return core::io_error(std::move(msg));
}

// Closes a file descriptor on every return path.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() { ::close(fd_); }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;

 private:
  int fd_;
};

}  // namespace

core::Result<std::unique_ptr<GgufFile>> GgufFile::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return os_error(path, "cannot open", errno);
  FdCloser closer(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) return os_error(path, "cannot stat", errno);
  if (!S_ISREG(st.st_mode)) return core::io_error("cannot open '" + path + "': not a regular file");
  const auto size = static_cast<std::uint64_t>(st.st_size);
  std::unique_ptr<GgufFile> file(new GgufFile());
  file->path_ = path;
  if (size == 0) {
    // mmap refuses empty files; the parser reports the file as too small.
    GR_RETURN_IF_ERROR(GgufParser::parse({}, *file).with_context(path));
    return file;
  }
  void* map = ::mmap(nullptr, static_cast<std::size_t>(size), PROT_READ, MAP_PRIVATE, fd, 0);
  if (map == MAP_FAILED) return os_error(path, "cannot mmap", errno);
  file->mapping_ = map;  // owned from here: the destructor unmaps it
  file->size_ = size;
  const std::span<const std::uint8_t> bytes(static_cast<const std::uint8_t*>(map), static_cast<std::size_t>(size));
  GR_RETURN_IF_ERROR(GgufParser::parse(bytes, *file).with_context(path));
  return file;
}

core::Result<std::unique_ptr<GgufFile>> GgufFile::from_memory(std::span<const std::uint8_t> bytes) {
  std::unique_ptr<GgufFile> file(new GgufFile());
  GR_RETURN_IF_ERROR(GgufParser::parse(bytes, *file));
  return file;
}

GgufFile::~GgufFile() {
  if (mapping_ != nullptr) ::munmap(mapping_, static_cast<std::size_t>(size_));
}

const Value* GgufFile::find(std::string_view key) const {
  for (const KeyValue& kv : kv_) {
    if (kv.key == key) return &kv.value;
  }
  return nullptr;
}

const TensorInfo* GgufFile::find_tensor(std::string_view name) const {
  for (const TensorInfo& t : tensors_) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

}  // namespace greenroute::engine::gguf
