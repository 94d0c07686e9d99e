// Process-wide LibTorch settings the TFT relies on: a fixed number of
// intra-op threads, a single-threaded OpenBLAS underneath them, and
// deterministic algorithms.
//
//   ConfigureTorchRuntime(2);  // before fitting or forecasting
//
// These settings are global to the process. Call it from one thread at a time;
// concurrent fits in one process share whatever was set last.
#pragma once

namespace macropipe::forecast::tft {

// Sets LibTorch to `threads` intra-op threads and asks for deterministic
// algorithms. When OpenBLAS is loaded, it is limited to one thread, because
// OpenBLAS threads inside each of LibTorch's threads oversubscribe the CPUs.
void ConfigureTorchRuntime(int threads);

// Returns the library that provides sgemm_ in this process (for example
// "/lib/x86_64-linux-gnu/libopenblas.so.0"), or "" when it cannot be found.
const char* BlasLibraryPath();

}  // namespace macropipe::forecast::tft
