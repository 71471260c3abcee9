// Reference profiles: devices we cannot run here, derived from published
// specifications (memory bandwidth, tensor throughput, power envelope) with
// every assumption named. They let the router and the simulator plan for a
// cluster before `greenroute bench` has measured it; a measured profile of
// the same device replaces them.
//
// Each is kind "reference", meter "none", and carries its sources and the
// derivation in `notes` (docs/profile.md has the table of figures, each
// marked published or assumed). The cost models are analytic (no fit); the
// sweep table is evaluated from them on a fixed grid, and the knee and best
// batches come from that table through the same code as a measured profile.
//
// Thread contract: pure functions; thread-safe.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "greenroute/core/status.h"
#include "greenroute/profile/profile.h"

namespace greenroute::profile {

// "jetson-orin-nx-8gb", "rtx-2000-ada-16gb".
std::vector<std::string> reference_profile_names();

// kNotFound (listing the names) for an unknown name.
core::Result<DeviceProfile> reference_profile(std::string_view name);

// Writes <dir>/<name>.json for every reference profile (save_profile, so
// atomically and validated). `dir` must exist. The repository ships the
// output under profiles/; a test checks the shipped files match.
core::Status write_reference_profiles(const std::filesystem::path& dir);

// What a user wrote for a profile, resolved: the file at `path_or_name` (a
// relative path resolves against `base_dir` when that is not empty, else the
// working directory), or, when no such file exists, the reference profile of
// that name. A file wins over a reference profile of the same name. `file` is
// the path read, empty for a reference profile. Errors: load_profile's for a
// file; kNotFound naming both the path tried and the reference names.
// `greenroute profile` and cluster configs both resolve profiles this way.
struct OpenedProfile {
  DeviceProfile profile;
  std::filesystem::path file;
};
core::Result<OpenedProfile> open_profile(std::string_view path_or_name,
                                         const std::filesystem::path& base_dir = {});

}  // namespace greenroute::profile
