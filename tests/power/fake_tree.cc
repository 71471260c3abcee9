#include "power/fake_tree.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

namespace greenroute::power::testing {

namespace fs = std::filesystem;

FakeTree::FakeTree() {
  std::string tmpl = (fs::temp_directory_path() / "greenroute-power-XXXXXX").string();
  char* made = ::mkdtemp(tmpl.data());
  if (made == nullptr) ADD_FAILURE() << "mkdtemp failed for " << tmpl;
  root_ = tmpl;
}

FakeTree::~FakeTree() {
  std::error_code ec;
  fs::remove_all(root_, ec);
}

void FakeTree::write(const std::string& rel, const std::string& content) const {
  const fs::path p = path(rel);
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out) ADD_FAILURE() << "cannot write " << p;
}

void FakeTree::mkdir(const std::string& rel) const { fs::create_directories(path(rel)); }

void FakeTree::remove(const std::string& rel) const {
  std::error_code ec;
  fs::remove_all(path(rel), ec);
}

void FakeTree::make_unreadable(const std::string& rel) const {
  remove(rel);
  fs::create_directories(path(rel));
}

}  // namespace greenroute::power::testing
