#include "dag/executor.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <random>

#include "core/error.h"
#include "core/files.h"
#include "dag/retry.h"

namespace macropipe::dag {
namespace {

using SteadyTime = std::chrono::steady_clock::time_point;

// Forwards each line of a try's logger to the executor's logger, prefixed
// with the run, task and try, so the process log names them on every line.
class ForwardingSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  ForwardingSink(std::shared_ptr<spdlog::logger> target, std::string prefix)
      : target_(std::move(target)), prefix_(std::move(prefix)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    target_->log(message.level, "{}{}", prefix_,
                 std::string_view(message.payload.data(), message.payload.size()));
  }
  void flush_() override { target_->flush(); }

 private:
  std::shared_ptr<spdlog::logger> target_;
  std::string prefix_;
};

std::shared_ptr<spdlog::logger> MakeTryLogger(const std::shared_ptr<spdlog::logger>& base,
                                              const std::filesystem::path& log_path,
                                              const std::string& run_id, const std::string& task_id,
                                              int try_number) {
  std::string prefix =
      "[run " + run_id + " task " + task_id + " try " + std::to_string(try_number) + "] ";
  CreateDirectories(log_path.parent_path());
  auto file = std::make_shared<spdlog::sinks::basic_file_sink_mt>(log_path.string(), true);
  file->set_pattern("%Y-%m-%dT%H:%M:%S.%e %l " + prefix + "%v");
  auto forward = std::make_shared<ForwardingSink>(base, prefix);
  auto logger = std::make_shared<spdlog::logger>(
      prefix, spdlog::sinks_init_list{std::move(file), std::move(forward)});
  logger->set_level(spdlog::level::trace);
  logger->flush_on(spdlog::level::trace);
  return logger;
}

std::string FormatSeconds(std::chrono::milliseconds duration) {
  if (duration < std::chrono::seconds(1)) return fmt::format("{} ms", duration.count());
  return fmt::format("{:.1f} s", static_cast<double>(duration.count()) / 1000.0);
}

// The result of one try, handed from a worker thread to the run's coordinator.
struct Completion {
  int index = 0;
  int try_number = 0;
  std::optional<TaskOutcome> outcome;
  std::exception_ptr failure;
  TimePoint end;
  SteadyTime finished;  // When the body returned, to compare with the try's deadline.
};

// The completions of one run. Shared with the workers, so it outlives a run
// whose timed-out body returns late.
struct CompletionQueue {
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<Completion> completions;  // Guarded by mutex.
};

}  // namespace

// One run in progress: the coordinator loop that moves task instances through
// their states. Used by one thread, the caller of Executor::Run or Resume.
class RunExecution {
 public:
  RunExecution(Executor& executor, const Dag& dag, RunRecord run, bool owns_run_state)
      : executor_(executor),
        dag_(dag),
        run_(std::move(run)),
        owns_run_state_(owns_run_state),
        random_(executor.options_.seed),
        queue_(std::make_shared<CompletionQueue>()) {
    for (const TaskSpec* spec : dag.TopologicalOrder()) {
      if (!executor_.pools_.Contains(spec->pool)) {
        throw Error(ErrorCode::kNotFound, "task '" + spec->id + "' in DAG '" + dag.id() +
                                              "' uses pool '" + spec->pool +
                                              "', which is not configured; add it to the pools");
      }
      Instance instance;
      instance.spec = spec;
      instance.record.run_id = run_.run_id;
      instance.record.task_id = spec->id;
      instances_.push_back(std::move(instance));
    }
    for (Instance& instance : instances_) {
      for (const std::string& upstream : instance.spec->upstream) {
        instance.upstream.push_back(IndexOf(upstream));
      }
    }
  }

  // Replaces the fresh instances by those recorded for the run, for a resume.
  void LoadRecorded(const std::vector<TaskInstanceRecord>& recorded) {
    for (const TaskInstanceRecord& record : recorded) {
      int index = IndexOf(record.task_id);
      if (index < 0) continue;
      instances_[index].record = record;
    }
  }

  // Saves the state of each task before the first transition, so the store
  // lists every task of the run from the start.
  void SaveAll() {
    for (Instance& instance : instances_) Save(instance, nullptr);
    Flush();
  }

  // Prepares recorded task instances for a resume; see Executor::Resume.
  void ClearUnfinished() {
    for (Instance& instance : instances_) {
      TaskInstanceRecord& record = instance.record;
      switch (record.state) {
        case TaskState::kSuccess:
        case TaskState::kSkipped:
        case TaskState::kNone:
        case TaskState::kScheduled:
          break;
        case TaskState::kQueued:
          Transition(instance, TaskState::kScheduled, nullptr);
          break;
        case TaskState::kRunning: {
          TryRecord lost = LostTry(record);
          Logger().warn(
              "run {}: task {} was running in try {} when its process ended; "
              "scheduling it again",
              run_.run_id, record.task_id, record.try_number);
          record.error = lost.error;
          record.end = lost.end;
          Transition(instance, TaskState::kScheduled, &lost);
          break;
        }
        case TaskState::kFailed:
        case TaskState::kUpstreamFailed:
        case TaskState::kUpForRetry:
        case TaskState::kDeferred:
          record.next_attempt.reset();
          Transition(instance, TaskState::kNone, nullptr);
          break;
      }
    }
    Flush();
  }

  RunResult Execute() {
    Logger().info("run {}: started DAG {} for logical date {} with {} tasks", run_.run_id,
                  dag_.id(), FormatTime(run_.logical_date), instances_.size());
    bool stopped_for_deferral = false;
    while (!AllFinished()) {
      if (executor_.cancelled_.load()) {
        if (!AnyRunning()) break;
        CancelRunning();
      } else {
        Advance();
        if (!AnyRunning() && !AnyReady() && DeferredBeyondWait()) {
          stopped_for_deferral = true;
          break;
        }
      }
      WaitForEvent();
      DrainCompletions();
      CheckTimeouts();
    }
    return Finish(stopped_for_deferral);
  }

 private:
  struct Instance {
    const TaskSpec* spec = nullptr;
    TaskInstanceRecord record;
    std::vector<int> upstream;
    int failures = 0;  // Failed tries in this execution, counted against the retries.
    SteadyTime next_attempt;
    SteadyTime deadline = SteadyTime::max();
    std::shared_ptr<std::atomic<bool>> cancel;
    std::shared_ptr<spdlog::logger> try_logger;
  };

  spdlog::logger& Logger() { return *executor_.logger_; }

  int IndexOf(const std::string& task_id) const {
    for (size_t i = 0; i < instances_.size(); ++i) {
      if (instances_[i].spec->id == task_id) return static_cast<int>(i);
    }
    return -1;
  }

  TryRecord LostTry(const TaskInstanceRecord& record) {
    TryRecord lost;
    lost.run_id = record.run_id;
    lost.task_id = record.task_id;
    lost.try_number = record.try_number;
    lost.state = TaskState::kFailed;
    lost.start = record.start.value_or(std::chrono::system_clock::now());
    lost.end = std::chrono::system_clock::now();
    lost.error = "the process running this try ended before the try finished";
    return lost;
  }

  // Queues the instance's record for the state store. Flush writes the queue
  // in one transaction: before bodies start, before the coordinator waits,
  // and when the run ends, so the store is never behind by more than one
  // pass of the coordinator and never behind a started body.
  void Save(Instance& instance, const TryRecord* try_record) {
    TaskInstanceUpdate update{instance.record, std::nullopt};
    if (try_record != nullptr) update.try_record = *try_record;
    pending_saves_.push_back(std::move(update));
  }

  void Flush() {
    if (pending_saves_.empty()) return;
    executor_.store_.SaveTaskInstances(pending_saves_);
    pending_saves_.clear();
  }

  void Transition(Instance& instance, TaskState to, const TryRecord* try_record) {
    CheckTransition(instance.spec->id, instance.record.state, to);
    instance.record.state = to;
    Save(instance, try_record);
  }

  bool AllFinished() const {
    return std::ranges::all_of(instances_,
                               [](const Instance& i) { return IsFinished(i.record.state); });
  }
  bool AnyRunning() const {
    return std::ranges::any_of(
        instances_, [](const Instance& i) { return i.record.state == TaskState::kRunning; });
  }
  bool AnyReady() const {
    return std::ranges::any_of(instances_, [](const Instance& i) {
      TaskState state = i.record.state;
      return state == TaskState::kScheduled || state == TaskState::kQueued ||
             state == TaskState::kUpForRetry;
    });
  }

  // True when the only tasks left wait for a deferral that ends after the
  // executor's max_deferral_wait.
  bool DeferredBeyondWait() const {
    SteadyTime limit = std::chrono::steady_clock::now() + executor_.options_.max_deferral_wait;
    bool any_deferred = false;
    for (const Instance& instance : instances_) {
      if (instance.record.state != TaskState::kDeferred) continue;
      any_deferred = true;
      if (instance.next_attempt <= limit) return false;
    }
    return any_deferred;
  }

  // Moves every task as far as it can go now: trigger rules, due retries and
  // deferrals, queueing and starting tasks that get a pool slot.
  void Advance() {
    SteadyTime now = std::chrono::steady_clock::now();
    for (Instance& instance : instances_) {
      TaskState state = instance.record.state;
      if (state == TaskState::kNone) EvaluateTrigger(instance);
      if ((state == TaskState::kUpForRetry || state == TaskState::kDeferred) &&
          now >= instance.next_attempt) {
        instance.record.next_attempt.reset();
        Transition(instance, TaskState::kScheduled, nullptr);
      }
      if (instance.record.state == TaskState::kScheduled) {
        Transition(instance, TaskState::kQueued, nullptr);
      }
      if (instance.record.state == TaskState::kQueued) TryStart(instance);
    }
    StartBodies();
  }

  // Writes the pass's transitions, then hands the bodies started in the pass
  // to the workers: one transaction for all of them, and none runs before its
  // running state is stored.
  void StartBodies() {
    Flush();
    for (std::function<void()>& job : pending_starts_) executor_.workers_.Submit(std::move(job));
    pending_starts_.clear();
  }

  void EvaluateTrigger(Instance& instance) {
    std::vector<TaskState> upstream;
    for (int index : instance.upstream) upstream.push_back(instances_[index].record.state);
    switch (EvaluateTriggerRule(instance.spec->trigger_rule, upstream)) {
      case TriggerDecision::kWait:
        return;
      case TriggerDecision::kRun:
        Transition(instance, TaskState::kScheduled, nullptr);
        return;
      case TriggerDecision::kSkip:
        Logger().info("run {}: task {} skipped: trigger rule {} cannot be met", run_.run_id,
                      instance.spec->id, TriggerRuleName(instance.spec->trigger_rule));
        Transition(instance, TaskState::kSkipped, nullptr);
        return;
      case TriggerDecision::kUpstreamFailed:
        instance.record.error = "an upstream task failed";
        Logger().warn("run {}: task {} not run: an upstream task failed (trigger rule {})",
                      run_.run_id, instance.spec->id, TriggerRuleName(instance.spec->trigger_rule));
        Transition(instance, TaskState::kUpstreamFailed, nullptr);
        return;
    }
  }

  void TryStart(Instance& instance) {
    std::optional<PoolSlot> slot = executor_.pools_.TryAcquire(instance.spec->pool);
    if (!slot) return;

    TaskInstanceRecord& record = instance.record;
    record.try_number += 1;
    record.start = std::chrono::system_clock::now();
    record.end.reset();
    record.error.clear();
    record.outcome = {};
    TryRecord started{record.run_id,
                      record.task_id,
                      record.try_number,
                      TaskState::kRunning,
                      *record.start,
                      std::nullopt,
                      "",
                      {}};
    Transition(instance, TaskState::kRunning, &started);

    instance.cancel = std::make_shared<std::atomic<bool>>(false);
    instance.deadline = instance.spec->timeout.count() > 0
                            ? std::chrono::steady_clock::now() + instance.spec->timeout
                            : SteadyTime::max();
    instance.try_logger = MakeTryLogger(
        executor_.logger_,
        TryLogPath(executor_.options_.data_dir, record.run_id, record.task_id, record.try_number),
        record.run_id, record.task_id, record.try_number);
    instance.try_logger->info("started in pool {} (try {} of {})", instance.spec->pool,
                              record.try_number,
                              record.try_number - instance.failures + instance.spec->retry.retries);

    auto context =
        std::make_shared<TaskContext>(record.run_id, record.task_id, run_.logical_date,
                                      record.try_number, instance.try_logger, instance.cancel);
    auto held_slot = std::make_shared<PoolSlot>(std::move(*slot));
    pending_starts_.push_back([body = instance.spec->body, context, held_slot, queue = queue_,
                               index = static_cast<int>(&instance - instances_.data())]() mutable {
      Completion completion{index, context->try_number(), std::nullopt, nullptr, {}, {}};
      try {
        completion.outcome = body->Run(*context);
      } catch (...) {
        completion.failure = std::current_exception();
      }
      completion.end = std::chrono::system_clock::now();
      completion.finished = std::chrono::steady_clock::now();
      held_slot.reset();  // The slot is free before the coordinator hears of the end.
      {
        std::lock_guard lock(queue->mutex);
        queue->completions.push_back(std::move(completion));
      }
      queue->changed.notify_all();
    });
  }

  void WaitForEvent() {
    Flush();
    SteadyTime wake = SteadyTime::max();
    bool waits_for_slot = false;
    for (const Instance& instance : instances_) {
      TaskState state = instance.record.state;
      if (state == TaskState::kUpForRetry || state == TaskState::kDeferred) {
        wake = std::min(wake, instance.next_attempt);
      }
      if (state == TaskState::kRunning) wake = std::min(wake, instance.deadline);
      if (state == TaskState::kQueued) waits_for_slot = true;
    }
    // Slots are returned by other runs too, which do not signal this queue;
    // look again after a short while.
    if (waits_for_slot) wake = std::min(wake, std::chrono::steady_clock::now() + kSlotPoll);

    std::unique_lock lock(queue_->mutex);
    auto ready = [&] { return !queue_->completions.empty() || executor_.cancelled_.load(); };
    if (wake == SteadyTime::max()) {
      queue_->changed.wait_for(lock, kCancelPoll, ready);
    } else {
      queue_->changed.wait_until(
          lock, std::min(wake, std::chrono::steady_clock::now() + kCancelPoll), ready);
    }
  }

  void DrainCompletions() {
    std::deque<Completion> completions;
    {
      std::lock_guard lock(queue_->mutex);
      completions.swap(queue_->completions);
    }
    for (Completion& completion : completions) {
      Instance& instance = instances_[completion.index];
      if (instance.record.state != TaskState::kRunning ||
          instance.record.try_number != completion.try_number) {
        Logger().warn("run {}: task {} try {} returned after it timed out; its result is dropped",
                      run_.run_id, instance.spec->id, completion.try_number);
        continue;
      }
      if (completion.finished >= instance.deadline) {
        // The coordinator heard of the end only after the deadline had passed.
        TimeOut(instance);
      } else if (completion.outcome) {
        Succeed(instance, *completion.outcome, completion.end);
      } else {
        Fail(instance, ClassifyFailure(completion.failure), completion.end);
      }
    }
  }

  void CheckTimeouts() {
    SteadyTime now = std::chrono::steady_clock::now();
    for (Instance& instance : instances_) {
      if (instance.record.state != TaskState::kRunning || now < instance.deadline) continue;
      TimeOut(instance);
    }
  }

  void TimeOut(Instance& instance) {
    instance.cancel->store(true);
    FailureClass timeout{FailureKind::kRetryable,
                         "timed out after " + FormatSeconds(instance.spec->timeout) +
                             "; raise the task's timeout if the step needs longer",
                         std::nullopt};
    Fail(instance, timeout, std::chrono::system_clock::now());
  }

  void CancelRunning() {
    for (Instance& instance : instances_) {
      if (instance.record.state == TaskState::kRunning) instance.cancel->store(true);
    }
  }

  TryRecord EndTry(Instance& instance, TaskState state, TimePoint end) {
    TaskInstanceRecord& record = instance.record;
    record.end = end;
    return TryRecord{
        record.run_id, record.task_id, record.try_number, state, record.start.value_or(end),
        end,           record.error,   record.outcome};
  }

  void Succeed(Instance& instance, const TaskOutcome& outcome, TimePoint end) {
    instance.record.outcome = outcome;
    TryRecord finished = EndTry(instance, TaskState::kSuccess, end);
    instance.try_logger->info(
        "succeeded in {}: {} rows landed, {} inserted, {} revised",
        FormatSeconds(std::chrono::milliseconds(*DurationMs(instance.record.start, end))),
        outcome.rows_landed, outcome.rows_inserted, outcome.rows_revised);
    Transition(instance, TaskState::kSuccess, &finished);
    instance.try_logger.reset();
  }

  void Fail(Instance& instance, const FailureClass& failure, TimePoint end) {
    TaskInstanceRecord& record = instance.record;
    record.error = failure.message;
    spdlog::logger& log = *instance.try_logger;
    TaskState next = TaskState::kFailed;

    if (failure.kind == FailureKind::kSkipped) {
      next = TaskState::kSkipped;
      log.info("skipped: {}", failure.message);
    } else if (failure.kind == FailureKind::kDeferred) {
      next = TaskState::kDeferred;
      TimePoint resume = failure.resume_at.value_or(std::chrono::system_clock::now() +
                                                    executor_.options_.default_deferral);
      auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::max(resume - std::chrono::system_clock::now(), TimePoint::duration::zero()));
      record.next_attempt = resume;
      // Clamped so that a reset years away cannot overflow the steady clock.
      instance.next_attempt = std::chrono::steady_clock::now() + std::min(wait, kMaxDeferral);
      log.warn("deferred until {} ({} from now): {}", FormatTime(resume), FormatSeconds(wait),
               failure.message);
    } else if (failure.kind == FailureKind::kRetryable &&
               instance.failures < instance.spec->retry.retries) {
      next = TaskState::kUpForRetry;
      instance.failures += 1;
      std::chrono::milliseconds wait = RetryDelay(instance.spec->retry, instance.failures, random_);
      record.next_attempt = std::chrono::system_clock::now() + wait;
      instance.next_attempt = std::chrono::steady_clock::now() + wait;
      log.warn("failed: {}; retry {} of {} in {}", failure.message, instance.failures,
               instance.spec->retry.retries, FormatSeconds(wait));
    } else {
      const char* why =
          failure.kind == FailureKind::kFinal ? "a final error, not retried" : "no retries left";
      log.error("failed with {}: {}", why, failure.message);
    }

    TryRecord finished = EndTry(instance, next, end);
    Transition(instance, next, &finished);
    instance.try_logger.reset();
  }

  RunResult Finish(bool stopped_for_deferral) {
    RunResult result;
    for (Instance& instance : instances_) {
      // A cancelled run leaves tasks waiting for a slot as scheduled, for a resume.
      if (instance.record.state == TaskState::kQueued) {
        Transition(instance, TaskState::kScheduled, nullptr);
      }
      result.tasks.push_back(instance.record);
    }
    Flush();
    run_.summary = SummarizeTasks(result.tasks);
    run_.end = std::chrono::system_clock::now();
    if (stopped_for_deferral) {
      run_.state = RunState::kDeferred;
      run_.summary += "; deferred until a quota resets: resume the run after that";
    } else if (!AllFinished()) {
      run_.state = RunState::kFailed;
      run_.summary += "; cancelled before every task finished: resume the run to finish it";
    } else {
      run_.state = LeafFailed() ? RunState::kFailed : RunState::kSuccess;
    }
    if (owns_run_state_) executor_.store_.UpdateRun(run_);
    Logger().info("run {}: {} ({}): {}", run_.run_id, RunStateName(run_.state),
                  FormatSeconds(std::chrono::milliseconds(*DurationMs(run_.start, run_.end))),
                  run_.summary);
    result.run = run_;
    return result;
  }

  // Like Airflow, a run fails when a task without downstream tasks did not
  // succeed or skip; a failed ingest with an all_done load after it does not
  // fail the run, though the summary names it.
  bool LeafFailed() const {
    for (const Instance& instance : instances_) {
      if (!dag_.Downstream(instance.spec->id).empty()) continue;
      TaskState state = instance.record.state;
      if (state == TaskState::kFailed || state == TaskState::kUpstreamFailed) return true;
    }
    return false;
  }

  static constexpr std::chrono::milliseconds kSlotPoll{5};
  static constexpr std::chrono::milliseconds kMaxDeferral{std::chrono::hours(24 * 366 * 10)};
  static constexpr std::chrono::milliseconds kCancelPoll{200};

  Executor& executor_;
  const Dag& dag_;
  RunRecord run_;
  bool owns_run_state_;
  std::mt19937_64 random_;
  std::vector<Instance> instances_;
  std::vector<TaskInstanceUpdate> pending_saves_;      // Saved by Flush.
  std::vector<std::function<void()>> pending_starts_;  // Submitted by StartBodies.
  std::shared_ptr<CompletionQueue> queue_;
};

Executor::Executor(Pools& pools, StateStore& store, ExecutorOptions options)
    : pools_(pools),
      store_(store),
      options_(std::move(options)),
      logger_(options_.logger ? options_.logger : spdlog::default_logger()),
      workers_(options_.worker_threads) {}

Executor::~Executor() = default;

RunResult Executor::Run(const Dag& dag, const std::string& run_id, TimePoint logical_date) {
  ValidateRunId(run_id);
  RunRecord run{
      run_id,       dag.id(), logical_date, RunState::kRunning, std::chrono::system_clock::now(),
      std::nullopt, ""};
  RunExecution execution(*this, dag, run, /*owns_run_state=*/true);
  store_.CreateRun(run);
  execution.SaveAll();
  return execution.Execute();
}

RunResult Executor::Resume(const Dag& dag, const std::string& run_id) {
  std::optional<RunRecord> run = store_.FindRun(run_id);
  if (!run) {
    throw Error(ErrorCode::kNotFound,
                "run '" + run_id + "' is not in the state database; list the runs to see the ids");
  }
  if (run->pipeline != dag.id()) {
    throw Error(ErrorCode::kInvalidInput, "run '" + run_id + "' belongs to DAG '" + run->pipeline +
                                              "', not '" + dag.id() + "'");
  }
  run->state = RunState::kRunning;
  run->end.reset();
  run->summary.clear();
  store_.UpdateRun(*run);
  logger_->info("run {}: resuming", run_id);

  RunExecution execution(*this, dag, *run, /*owns_run_state=*/true);
  execution.LoadRecorded(store_.ListTaskInstances(run_id));
  execution.SaveAll();
  // TODO: takes no task claims, so a task that `task run` runs in another
  // process at the same time is taken for lost and run a second time.
  execution.ClearUnfinished();
  return execution.Execute();
}

TaskInstanceRecord Executor::RunTaskOnce(const Dag& dag, const std::string& run_id,
                                         TimePoint logical_date, const std::string& task_id) {
  ValidateRunId(run_id);
  TaskSpec task = dag.Task(task_id);
  task.upstream.clear();
  task.retry.retries = 0;
  Dag single(dag.id());
  single.AddTask(std::move(task));

  // The claim is held until the try is recorded, so no other process runs
  // the task meanwhile. A try recorded as running without a claim was left
  // by a process that died, so ClearUnfinished records it as failed.
  std::unique_ptr<TaskClaim> claim = store_.TryClaimTask(run_id, task_id);
  if (!claim) {
    throw Error(ErrorCode::kFailedPrecondition,
                "task '" + task_id + "' of run '" + run_id +
                    "' is running in another process; wait for that try to finish, then run "
                    "the task again if it failed");
  }
  std::optional<RunRecord> run = store_.FindRun(run_id);
  if (!run) {
    RunRecord created{
        run_id,       dag.id(), logical_date, RunState::kRunning, std::chrono::system_clock::now(),
        std::nullopt, ""};
    try {
      store_.CreateRun(created);
      run = created;
    } catch (const Error&) {
      // Another process running a task of the same run created it first.
      run = store_.FindRun(run_id);
      if (!run) throw;
    }
  }
  RunExecution execution(*this, single, *run, /*owns_run_state=*/false);
  execution.LoadRecorded(store_.ListTaskInstances(run_id));
  execution.SaveAll();
  execution.ClearUnfinished();
  return execution.Execute().tasks.front();
}

void Executor::Cancel() {
  cancelled_.store(true);
  logger_->warn("cancellation requested: running tasks are asked to stop");
}

std::string SummarizeTasks(const std::vector<TaskInstanceRecord>& tasks) {
  std::map<TaskState, int> counts;
  std::string failures;
  for (const TaskInstanceRecord& task : tasks) {
    ++counts[task.state];
    if (task.state != TaskState::kFailed) continue;
    failures += (failures.empty() ? ": " : "; ") + task.task_id + ": " + task.error;
  }
  std::string summary =
      fmt::format("{} of {} succeeded", counts[TaskState::kSuccess], tasks.size());
  for (TaskState state : {TaskState::kSkipped, TaskState::kUpstreamFailed, TaskState::kDeferred,
                          TaskState::kScheduled, TaskState::kNone}) {
    if (counts[state] > 0) summary += fmt::format(", {} {}", counts[state], TaskStateName(state));
  }
  if (counts[TaskState::kFailed] > 0) {
    summary += fmt::format(", {} failed{}", counts[TaskState::kFailed], failures);
  }
  return summary;
}

std::filesystem::path TryLogPath(const std::filesystem::path& data_dir, const std::string& run_id,
                                 const std::string& task_id, int try_number) {
  return data_dir / "logs" / run_id / task_id / ("try-" + std::to_string(try_number) + ".log");
}

}  // namespace macropipe::dag
