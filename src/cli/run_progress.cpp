#include "cli/run_progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace macropipe {
namespace {

std::string FormatDuration(double seconds) {
  int total = static_cast<int>(seconds + 0.5);
  if (total >= 3600) return fmt::format("{}h{:02}m", total / 3600, total / 60 % 60);
  return fmt::format("{}m{:02}s", total / 60, total % 60);
}

}  // namespace

RunProgress::RunProgress(dag::StateStore& store, std::string run_id, size_t task_count,
                         std::map<std::string, std::shared_ptr<RateBudget>> budgets)
    : store_(store),
      run_id_(std::move(run_id)),
      task_count_(task_count),
      budgets_(std::move(budgets)),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {
  for (const auto& [name, budget] : budgets_) last_counts_[name] = budget->UsedToday();
  thread_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!stop_signal_.wait_for(lock, std::chrono::milliseconds(500), [this] { return stop_; })) {
      lock.unlock();
      Draw();
      lock.lock();
    }
  });
}

RunProgress::~RunProgress() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  stop_signal_.notify_all();
  thread_.join();
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
}

bool RunProgress::Wanted() { return isatty(STDERR_FILENO) == 1; }

void RunProgress::Draw() {
  size_t done = 0;
  size_t failed = 0;
  for (const dag::TaskInstanceRecord& task : store_.ListTaskInstances(run_id_)) {
    if (dag::IsFinished(task.state)) ++done;
    if (task.state == dag::TaskState::kFailed || task.state == dag::TaskState::kUpstreamFailed) {
      ++failed;
    }
  }
  auto now = std::chrono::steady_clock::now();
  double interval = std::chrono::duration<double>(now - last_draw_).count();
  double elapsed = std::chrono::duration<double>(now - start_).count();
  last_draw_ = now;

  std::string line = fmt::format("{}/{} tasks done, {} failed", done, task_count_, failed);
  for (const auto& [name, budget] : budgets_) {
    int64_t count = budget->UsedToday();
    double rate = interval > 0 ? static_cast<double>(count - last_counts_[name]) / interval : 0;
    last_counts_[name] = count;
    if (rate <= 0) continue;
    line += fmt::format(" | {} {:.1f} req/s", name, rate);
    if (budget->limits().per_second) line += fmt::format(" of {:g}", *budget->limits().per_second);
  }
  line += " | elapsed " + FormatDuration(elapsed);
  if (done > 0 && done < task_count_) {
    double left = elapsed / static_cast<double>(done) * static_cast<double>(task_count_ - done);
    line += ", about " + FormatDuration(left) + " left";
  }
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  std::fflush(stderr);
}

}  // namespace macropipe
