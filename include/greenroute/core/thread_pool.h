// ThreadPool: a fixed set of workers for data-parallel compute loops.
//
// Built for the engine's hot loop: a decode step issues hundreds of short
// parallel regions, so dispatch must cost microseconds. Workers spin briefly
// on a generation counter before sleeping on a condition variable.
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
  void worker_loop(int thread);
  void run_tasks(int thread);

  const int n_threads_;
  std::vector<std::thread> workers_;

  std::mutex mu_;
  std::condition_variable wake_;
  std::atomic<unsigned> generation_{0};
  std::atomic<bool> stop_{false};

  // The job in flight (valid while pending_ > 0).
  const std::function<void(std::size_t, int)>* job_ = nullptr;
  std::size_t n_tasks_ = 0;
  std::atomic<std::size_t> next_task_{0};
  std::atomic<int> pending_{0};  // workers that have not yet finished this generation
};

}  // namespace greenroute::core
