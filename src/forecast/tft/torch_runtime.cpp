#include "forecast/tft/torch_runtime.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <dlfcn.h>
#include <malloc.h>

#include <mutex>

namespace macropipe::forecast::tft {
namespace {

// The largest threshold mallopt(3) allows on 64-bit systems.
constexpr int kMmapThreshold = 32 << 20;

}  // namespace

void ConfigureTorchRuntime(int threads) {
  // Training allocates and frees activations of several MiB at every step.
  // Above glibc's default threshold each is a fresh mmap whose pages the
  // kernel faults in and zeroes again. A higher threshold keeps them in the
  // heap for reuse.
  static std::once_flag malloc_tuned;
  std::call_once(malloc_tuned, [] {
    mallopt(M_MMAP_THRESHOLD, kMmapThreshold);
    mallopt(M_TRIM_THRESHOLD, 2 * kMmapThreshold);
  });
  // OpenBLAS exports openblas_set_num_threads; look it up at run time so the
  // TFT still works with another BLAS behind LibTorch.
  using SetThreads = void (*)(int);
  if (void* symbol = dlsym(RTLD_DEFAULT, "openblas_set_num_threads")) {
    reinterpret_cast<SetThreads>(symbol)(1);
  }
  if (at::get_num_threads() != threads) at::set_num_threads(threads);
  at::globalContext().setDeterministicAlgorithms(true, /*warn_only=*/false);
}

const char* BlasLibraryPath() {
  void* symbol = dlsym(RTLD_DEFAULT, "sgemm_");
  Dl_info info;
  if (symbol == nullptr || dladdr(symbol, &info) == 0 || info.dli_fname == nullptr) return "";
  return info.dli_fname;
}

}  // namespace macropipe::forecast::tft
