// ThreadPool: a fixed set of workers for data-parallel compute loops.
//
// Built for the engine's hot loop: a decode step issues hundreds of short
// parallel regions, so dispatch must cost microseconds. Workers spin briefly
// on a generation counter before sleeping on a condition variable. The caller
// waits only for tasks that were claimed, never for a worker to wake up: on an
// oversubscribed machine a descheduled worker cannot stall a region, the
// caller simply runs the remaining tasks itself.
//
// Thread contract: parallel_for() may be called by one thread at a time (the
// owner of the inference context). The calling thread takes part in the work.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace greenroute::core {

class ThreadPool {
 public:
  // n_threads counts the caller: 1 means no worker threads at all.
  explicit ThreadPool(int n_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return n_threads_; }

  // Runs fn(task, thread) for every task in [0, n_tasks), spread over the
  // threads (thread in [0, size())), and returns when all have finished.
  // Tasks are handed out dynamically, so uneven tasks balance.
  void parallel_for(std::size_t n_tasks, const std::function<void(std::size_t task, int thread)>& fn);

  // Default thread count: the number of online cores.
  static int default_threads();

 private:
  // A published parallel region. Two slots alternate so a worker that woke
  // late for an old region can never read one being rewritten (see .cc).
  struct Job {
    const std::function<void(std::size_t, int)>* fn = nullptr;
    std::size_t n_tasks = 0;
    std::atomic<std::size_t> next{0};  // next task index to claim
    std::atomic<std::size_t> done{0};  // tasks finished
    std::atomic<int> refs{0};          // workers currently looking at this slot
  };

  void worker_loop(int thread);
  void run_tasks(Job& job, int thread);

  const int n_threads_;
  std::vector<std::thread> workers_;

  std::mutex mu_;
  std::condition_variable wake_;
  std::atomic<unsigned> generation_{0};  // bumped on every publish (and on stop)
  std::atomic<bool> stop_{false};

  Job jobs_[2];
  unsigned job_counter_ = 0;            // owner thread only
  std::atomic<Job*> current_{nullptr};  // the region in flight, if any
};

}  // namespace greenroute::core
