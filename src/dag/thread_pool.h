// A fixed set of worker threads that run submitted jobs in order of arrival.
//
//   ThreadPool workers(8);
//   workers.Submit([] { ... });  // The destructor waits for every job to finish.
//
// Thread-safe. Jobs must not throw; an escaping exception ends the process.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace macropipe::dag {

class ThreadPool {
 public:
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  void Submit(std::function<void()> job);

 private:
  void Work();

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;  // Guarded by mutex_.
  bool stopping_ = false;                   // Guarded by mutex_.
  std::vector<std::thread> threads_;
};

}  // namespace macropipe::dag
