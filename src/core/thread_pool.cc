#include "greenroute/core/thread_pool.h"

#include <algorithm>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define GR_CPU_RELAX() _mm_pause()
#else
#define GR_CPU_RELAX() ((void)0)
#endif

namespace greenroute::core {

namespace {
// Spin iterations before a worker sleeps: long enough to bridge the gap
// between consecutive matmuls in a decode step, short enough not to burn a
// core while the pool idles between requests.
constexpr int kSpinIterations = 20000;
}  // namespace

ThreadPool::ThreadPool(int n_threads) : n_threads_(std::max(1, n_threads)) {
  workers_.reserve(static_cast<std::size_t>(n_threads_ - 1));
  for (int t = 1; t < n_threads_; ++t) workers_.emplace_back([this, t] { worker_loop(t); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_.store(true);
    generation_.fetch_add(1);
  }
  wake_.notify_all();
  for (auto& w : workers_) w.join();
}

int ThreadPool::default_threads() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

void ThreadPool::run_tasks(Job& job, int thread) {
  for (;;) {
    std::size_t task = job.next.fetch_add(1, std::memory_order_relaxed);
    if (task >= job.n_tasks) break;
    (*job.fn)(task, thread);
    job.done.fetch_add(1, std::memory_order_acq_rel);
  }
}

void ThreadPool::parallel_for(std::size_t n_tasks,
                              const std::function<void(std::size_t, int)>& fn) {
  if (n_tasks == 0) return;
  if (workers_.empty() || n_tasks == 1) {
    for (std::size_t i = 0; i < n_tasks; ++i) fn(i, 0);
    return;
  }
  // Reuse a slot only once no late worker still looks at it. Workers hold a
  // reference for a few instructions unless they are running a task of it,
  // and every task of it finished before the previous region using it returned.
  Job& job = jobs_[job_counter_++ & 1u];
  for (int spin = 0; job.refs.load(std::memory_order_acquire) != 0; ++spin) {
    if (spin < kSpinIterations) GR_CPU_RELAX(); else std::this_thread::yield();
  }
  job.fn = &fn;
  job.n_tasks = n_tasks;
  job.next.store(0, std::memory_order_relaxed);
  job.done.store(0, std::memory_order_relaxed);
  current_.store(&job, std::memory_order_release);
  {
    std::lock_guard<std::mutex> lock(mu_);
    generation_.fetch_add(1, std::memory_order_release);
  }
  wake_.notify_all();
  run_tasks(job, 0);
  // Wait only for tasks other threads claimed; spin briefly (the usual case:
  // they finish within microseconds), then yield so an oversubscribed machine
  // can schedule them.
  for (int spin = 0; job.done.load(std::memory_order_acquire) != n_tasks; ++spin) {
    if (spin < kSpinIterations) GR_CPU_RELAX(); else std::this_thread::yield();
  }
  current_.store(nullptr, std::memory_order_release);
}

void ThreadPool::worker_loop(int thread) {
  unsigned seen = 0;
  for (;;) {
    unsigned gen = generation_.load(std::memory_order_acquire);
    for (int spin = 0; gen == seen && spin < kSpinIterations; ++spin) {
      GR_CPU_RELAX();
      gen = generation_.load(std::memory_order_acquire);
    }
    if (gen == seen) {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
      gen = generation_.load(std::memory_order_acquire);
    }
    seen = gen;
    if (stop_.load()) return;
    Job* job = current_.load(std::memory_order_acquire);
    if (job == nullptr) continue;  // the region already finished without us
    job->refs.fetch_add(1, std::memory_order_acq_rel);
    // Only a slot that is still (or again) published has consistent fields.
    if (current_.load(std::memory_order_acquire) == job) run_tasks(*job, thread);
    job->refs.fetch_sub(1, std::memory_order_acq_rel);
  }
}

}  // namespace greenroute::core
