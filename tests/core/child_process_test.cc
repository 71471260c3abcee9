// core::ChildProcess: spawning, the "listening on" line, exit codes, and the
// reaping destructor (no process outlives its owner).
#include "greenroute/core/child_process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>

namespace greenroute::core {
namespace {

namespace fs = std::filesystem;

class ChildProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("greenroute-child-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST(ParseListeningPort, OnlyACompleteLine) {
  EXPECT_EQ(parse_listening_port("greenroute node: listening on http://127.0.0.1:8081\n"), 8081);
  EXPECT_EQ(parse_listening_port("x\ngreenroute gateway: listening on http://[::1]:9\r\n"), 9);
  EXPECT_FALSE(parse_listening_port("greenroute node: listening on http://127.0.0.1:80"));  // still being written
  EXPECT_FALSE(parse_listening_port("listening on http://127.0.0.1:\n"));
  EXPECT_FALSE(parse_listening_port("listening on http://127.0.0.1:99999\n"));
  EXPECT_FALSE(parse_listening_port("listening on http://127.0.0.1:8x\n"));
  EXPECT_FALSE(parse_listening_port("nothing here\n"));
}

TEST_F(ChildProcessTest, ReadsThePortAndStopsCleanly) {
  auto child = ChildProcess::spawn(
      {"/bin/sh", "-c", "echo 'demo: listening on http://127.0.0.1:4321'; exec sleep 30"}, dir_, "server");
  ASSERT_TRUE(child.is_ok()) << child.status().to_string();
  EXPECT_EQ((*child)->wait_listening(std::chrono::seconds(10)), 4321);
  EXPECT_TRUE((*child)->running());
  EXPECT_EQ((*child)->stop(std::chrono::seconds(5)), 128 + SIGTERM);
  EXPECT_FALSE((*child)->running());
  EXPECT_EQ((*child)->exit_code(), 128 + SIGTERM);
}

TEST_F(ChildProcessTest, AnExitBeforeListeningIsSeen) {
  auto child = ChildProcess::spawn({"/bin/sh", "-c", "echo 'greenroute: error: port in use' >&2; exit 3"}, dir_, "bad");
  ASSERT_TRUE(child.is_ok());
  EXPECT_EQ((*child)->wait_listening(std::chrono::seconds(10)), -1);
  EXPECT_FALSE((*child)->running());
  EXPECT_EQ((*child)->exit_code(), 3);
  EXPECT_EQ((*child)->last_stderr_line(), "greenroute: error: port in use");
}

TEST_F(ChildProcessTest, GivingUpWhenAskedTo) {
  auto child = ChildProcess::spawn({"/bin/sh", "-c", "exec sleep 30"}, dir_, "slow");
  ASSERT_TRUE(child.is_ok());
  EXPECT_EQ((*child)->wait_listening(std::chrono::seconds(30), [] { return true; }), -1);
  EXPECT_TRUE((*child)->running());
}

TEST_F(ChildProcessTest, TheDestructorKillsAndReaps) {
  pid_t pid = -1;
  {
    auto child = ChildProcess::spawn({"/bin/sh", "-c", "exec sleep 30"}, dir_, "orphan");
    ASSERT_TRUE(child.is_ok());
    pid = (*child)->pid();
    ASSERT_GT(pid, 0);
  }
  // Reaped: the pid no longer names our child (kill fails with ESRCH).
  EXPECT_NE(::kill(pid, 0), 0);
}

TEST_F(ChildProcessTest, SpawnFailuresAreErrors) {
  auto missing = ChildProcess::spawn({(dir_ / "no-such-program").string()}, dir_, "missing");
  ASSERT_FALSE(missing.is_ok());
  EXPECT_NE(missing.status().message().find("no-such-program"), std::string::npos);
  EXPECT_FALSE(ChildProcess::spawn({}, dir_, "empty").is_ok());
}

}  // namespace
}  // namespace greenroute::core
