// GR_CHECK: abort on a broken invariant that greenroute itself owns.
// Never use on untrusted input (files, HTTP bodies, flags): return a Status.
#pragma once

namespace greenroute::core {
[[noreturn]] void check_failed(const char* file, int line, const char* expr);
}  // namespace greenroute::core

#define GR_CHECK(cond)                                                      \
  do {                                                                      \
    if (!(cond)) ::greenroute::core::check_failed(__FILE__, __LINE__, #cond); \
  } while (0)
