// FakeTree: a throwaway directory standing in for /sys or /proc in tests.
// Removed with its contents on destruction. Single-owner.
#pragma once

#include <string>

namespace greenroute::power::testing {

class FakeTree {
 public:
  FakeTree();
  ~FakeTree();
  FakeTree(const FakeTree&) = delete;
  FakeTree& operator=(const FakeTree&) = delete;

  const std::string& root() const { return root_; }
  std::string path(const std::string& rel) const { return root_ + "/" + rel; }

  // Writes `content` to root/rel, creating parent directories.
  void write(const std::string& rel, const std::string& content) const;
  void mkdir(const std::string& rel) const;
  void remove(const std::string& rel) const;
  // Makes root/rel impossible to read even as root: it becomes a directory
  // (read() then fails with EISDIR), where chmod 000 would not stop root.
  void make_unreadable(const std::string& rel) const;

 private:
  std::string root_;
};

}  // namespace greenroute::power::testing
