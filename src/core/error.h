// The one error model of macropipe: every failure is an `Error` carrying an
// `ErrorCode` from which a caller learns whether trying again can help.
//
//   throw Error(ErrorCode::kInvalidInput, "bad date '13/1/2020' in x.csv line 4");
//
// Errors are thrown inside the libraries and turned into a message and an exit
// status at the command line (or an HTTP status in the server).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace macropipe {

enum class ErrorCode {
  kInvalidInput,        // The input is malformed; retrying the same input fails again.
  kNotFound,            // A file, object, series or row does not exist.
  kUnauthenticated,     // A key or credential is missing or was rejected.
  kPermissionDenied,    // The caller may not do this, or a path is not writable.
  kFailedPrecondition,  // The system is not in a state that allows this operation.
  kUnavailable,         // A transient failure: network, 5xx, timeout. Retry with backoff.
  kRateLimited,         // The server asked us to slow down. Retry after its window.
  kQuotaExhausted,      // A daily quota is used up. Retry after the quota resets.
  kInternal,            // A bug or an invariant violation.
};

// Returns the lower-case name of `code`, as shown in messages and stored in state.
std::string_view ErrorCodeName(ErrorCode code);

// Returns true for the codes that a retry with a delay can clear.
bool IsRetryable(ErrorCode code);

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}

  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

}  // namespace macropipe
