// The tests' ChildProcess is the program's own (include/greenroute/core/
// child_process.h): one implementation of spawning, waiting for the
// "listening on" line and reaping, shared by `greenroute experiment` and the
// integration tests.
#pragma once

#include "greenroute/core/child_process.h"

namespace greenroute::testing {

using ::greenroute::core::ChildProcess;

}  // namespace greenroute::testing
