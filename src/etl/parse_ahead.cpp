#include "etl/parse_ahead.h"

#include "etl/normalized_csv.h"

namespace macropipe {
namespace {

// Rows per block, and blocks the queue holds before the parser waits.
constexpr size_t kBlockRows = 2048;
constexpr size_t kQueuedBlocks = 8;

}  // namespace

ParseAhead::ParseAhead(LandingZone& landing, const std::vector<LandingEntry>& entries)
    : landing_(landing), entries_(entries), thread_([this] { Work(); }) {}

ParseAhead::~ParseAhead() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

bool ParseAhead::Put(Block block) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return stopping_ || queue_.size() < kQueuedBlocks; });
  if (stopping_) return false;
  queue_.push_back(std::move(block));
  lock.unlock();
  changed_.notify_all();
  return true;
}

ParseAhead::Block ParseAhead::Take() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return !queue_.empty(); });
  Block block = std::move(queue_.front());
  queue_.pop_front();
  lock.unlock();
  changed_.notify_all();
  return block;
}

void ParseAhead::Work() {
  for (const LandingEntry& entry : entries_) {
    Block block;
    block.rows.reserve(kBlockRows);
    try {
      std::unique_ptr<std::istream> in =
          landing_.store().Open(entry.object.key, entry.object.version_id);
      NormalizedCsvStream rows(*in, landing_.store().Location() + "/" + entry.object.key);
      ObservationRow row;
      while (rows.Next(row)) {
        block.rows.push_back(row);
        if (block.rows.size() == kBlockRows) {
          if (!Put(std::move(block))) return;
          block = Block{};
          block.rows.reserve(kBlockRows);
        }
      }
      block.rejected = rows.rejected();
    } catch (...) {
      block.error = std::current_exception();
    }
    block.last = true;
    if (!Put(std::move(block))) return;
  }
}

bool ParsedObjectStream::Next(ObservationRow& row) {
  while (!finished_) {
    if (started_ && position_ < block_.rows.size()) {
      row = block_.rows[position_++];
      return true;
    }
    if (started_ && block_.last) {
      finished_ = true;
      rejected_ = std::move(block_.rejected);
      if (block_.error) std::rethrow_exception(block_.error);
      return false;
    }
    block_ = ahead_.Take();
    position_ = 0;
    started_ = true;
  }
  return false;
}

void ParsedObjectStream::Drain() {
  while (!finished_ && !(started_ && block_.last)) {
    block_ = ahead_.Take();
    started_ = true;
  }
  finished_ = true;
}

}  // namespace macropipe
