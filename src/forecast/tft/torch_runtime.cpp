#include "forecast/tft/torch_runtime.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <dlfcn.h>

namespace macropipe::forecast::tft {

void ConfigureTorchRuntime(int threads) {
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
