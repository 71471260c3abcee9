// Pinning this process to a set of CPUs (Linux sched_setaffinity), so that
// node agents sharing one machine can each own their cores and behave as
// separate devices (docs/server.md, `greenroute node --cpus`).
//
// CPU lists use the kernel's own notation (cpuset(7), taskset -c): comma-
// separated CPU numbers and inclusive ranges, "0", "0-3", "0,2,4-5".
//
// Thread contract: parse_cpu_list is pure. pin_process_to_cpus sets the
// calling thread's mask, which every thread it starts afterwards inherits:
// call it before starting any other thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "greenroute/core/status.h"

namespace greenroute::core {

// Ascending, without repeats. kInvalidArgument naming the bad item for an
// empty list or item, a non-number, a descending range or a CPU >= 1024.
Result<std::vector<int>> parse_cpu_list(std::string_view text);

// The CPUs this process may run on now (its affinity mask).
Result<std::vector<int>> allowed_cpus();

// Restricts the calling thread (and the threads it starts later) to `cpus`.
// kInvalidArgument when one of them is not among allowed_cpus() (named, with
// the allowed list), kUnavailable when the kernel refuses.
Status pin_process_to_cpus(const std::vector<int>& cpus);

// "0-2,5": the list in the notation parse_cpu_list reads.
std::string format_cpu_list(const std::vector<int>& cpus);

}  // namespace greenroute::core
