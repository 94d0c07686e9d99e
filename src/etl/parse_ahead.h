// Parses landed series objects on a background thread while the caller loads
// the ones before them, so that CSV parsing and SQLite work overlap.
//
//   ParseAhead ahead(landing, entries);
//   for (size_t i = 0; i < entries.size(); ++i) {
//     ParsedObjectStream rows(ahead);   // the rows of entries[i]
//     warehouse.Load(request, rows);
//     rows.Drain();                     // skips what the load did not read
//   }
//
// Rows travel in blocks through a bounded queue, so memory stays small however
// large an object is. An error while opening or parsing an object reaches the
// caller from that object's stream, at the row where it happened. Destroying a
// ParseAhead stops and joins its thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "landing/landing_zone.h"
#include "warehouse/warehouse.h"

namespace macropipe {

class ParseAhead {
 public:
  // Starts parsing `entries` in order; both must outlive this object.
  ParseAhead(LandingZone& landing, const std::vector<LandingEntry>& entries);
  ~ParseAhead();
  ParseAhead(const ParseAhead&) = delete;
  ParseAhead& operator=(const ParseAhead&) = delete;

  struct Block {
    std::vector<ObservationRow> rows;
    bool last = false;                  // The object's final block.
    std::vector<RejectedRow> rejected;  // Set on the final block.
    std::exception_ptr error;           // Set when opening or parsing failed.
  };

  // Waits for the next block, in object order.
  Block Take();

 private:
  void Work();
  // Queues a block; returns false once the reader has gone away.
  bool Put(Block block);

  LandingZone& landing_;
  const std::vector<LandingEntry>& entries_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Block> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

// The rows of the next object of a ParseAhead, as an ObservationStream.
class ParsedObjectStream : public ObservationStream {
 public:
  explicit ParsedObjectStream(ParseAhead& ahead) : ahead_(ahead) {}

  bool Next(ObservationRow& row) override;
  const std::vector<RejectedRow>& rejected() const override { return rejected_; }
  // Consumes the rest of the object, for a load that stopped reading early.
  void Drain();

 private:
  ParseAhead& ahead_;
  ParseAhead::Block block_;
  size_t position_ = 0;
  bool started_ = false;
  bool finished_ = false;
  std::vector<RejectedRow> rejected_;
};

}  // namespace macropipe
